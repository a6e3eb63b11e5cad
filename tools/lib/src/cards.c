// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: finding cards - libpci for what the PCI bus knows (IDs, PCIe link),
 * sysfs for the driver's binding (/sys/class/qkdchip), netlink for the cards' state.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "internal.h"

/*
 * libpci reports fatal errors through a callback that must not return (its default
 * calls exit()). Ours jumps back into qkd_cards_list(); the jump target is per thread
 * and only set while libpci runs.
 */
static _Thread_local jmp_buf *pci_jmp;
static _Thread_local char pci_msg[QKD_MSG_LEN];

static void pci_error_cb(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void pci_error_cb(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	longjmp(*pci_jmp, 1);
}

static void pci_quiet_cb(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void pci_quiet_cb(char *msg, ...)
{
	(void)msg;	/* warnings (e.g. unreadable config space without root) */
}

struct list {
	struct qkd_card *v;
	size_t n, cap;
};

static struct qkd_card *find_or_add(struct list *l, const char *pci)
{
	struct qkd_card *c;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].pci, pci))
			return &l->v[i];
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		c = realloc(l->v, cap * sizeof(*c));
		if (!c)
			return NULL;
		l->v = c;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->pci, sizeof(c->pci), "%s", pci);
	c->index = -1;
	return c;
}

/* 0.1 GT/s units of a PCIe link speed code (Link Status/Capabilities bits 3:0) */
static unsigned int link_speed(unsigned int code)
{
	static const unsigned int speed[] = { 0, 25, 50, 80, 160, 320, 640 };

	return code < QKD_ARRAY_SIZE(speed) ? speed[code] : 0;
}

static void fill_pci(struct pci_dev *d, struct qkd_card *c)
{
	struct pci_cap *cap;
	unsigned int type;

	c->vendor = d->vendor_id;
	c->device = d->device_id;
	if (pci_fill_info(d, PCI_FILL_SUBSYS) & PCI_FILL_SUBSYS) {
		c->subsys_vendor = d->subsys_vendor_id;
		c->subsys_device = d->subsys_id;
	}
	if (!(pci_fill_info(d, PCI_FILL_CAPS) & PCI_FILL_CAPS))
		return;
	cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (!cap)
		return;
	/* root complex integrated endpoints and event collectors have no link */
	type = (pci_read_word(d, cap->addr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
	if (type == PCI_EXP_TYPE_ROOT_INT_EP || type == PCI_EXP_TYPE_ROOT_EC)
		return;
	{
		uint32_t lnkcap = pci_read_long(d, cap->addr + PCI_EXP_LNKCAP);
		uint16_t lnksta = pci_read_word(d, cap->addr + PCI_EXP_LNKSTA);

		if (lnkcap == 0xffffffff || lnksta == 0xffff)
			return;		/* unreadable (not root, or the device is gone) */
		c->link_max_speed = link_speed(lnkcap & 0xf);
		c->link_max_width = (lnkcap >> 4) & 0x3f;
		c->link_speed = link_speed(lnksta & 0xf);
		c->link_width = (lnksta >> 4) & 0x3f;
	}
}

/* The cards the driver is bound to: /sys/class/qkdchip/qkdchipN/device -> PCI address. */
static int scan_sysfs(struct list *l)
{
	DIR *d = opendir("/sys/class/qkdchip");
	struct dirent *de;

	if (!d)
		return 0;	/* module not loaded */
	while ((de = readdir(d))) {
		char path[PATH_MAX], link[PATH_MAX], *base;
		unsigned int index;
		struct qkd_card *c;
		struct stat st;
		ssize_t n;

		if (strncmp(de->d_name, "qkdchip", 7) ||
		    qkd_parse_index(de->d_name + 7, strlen(de->d_name + 7), 63, &index))
			continue;
		snprintf(path, sizeof(path), "/sys/class/qkdchip/%s/device", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		c = find_or_add(l, base);
		if (!c) {
			closedir(d);
			return -ENOMEM;
		}
		c->index = (int)index;
		snprintf(c->name, sizeof(c->name), "qkdchip%u", index);
		snprintf(c->devnode, sizeof(c->devnode), "/dev/qkdchip%u", index);
		if (stat(c->devnode, &st) || !S_ISCHR(st.st_mode))
			c->devnode[0] = '\0';
	}
	closedir(d);
	return 0;
}

static int cmp_card(const void *a, const void *b)
{
	return strcmp(((const struct qkd_card *)a)->pci, ((const struct qkd_card *)b)->pci);
}

int qkd_cards_list(struct qkd_nl *nl, struct qkd_card **cards, size_t *n, char *err,
		   size_t errlen)
{
	struct list l = { 0 };
	struct pci_access *pacc = NULL;
	struct qkd_state *states = NULL;
	size_t nstates = 0, i;
	jmp_buf jb;
	int ret;

	*cards = NULL;
	*n = 0;
	ret = scan_sysfs(&l);
	if (ret)
		goto fail_nomem;

	if (nl) {
		ret = qkd_nl_dump(nl, &states, &nstates);
		if (ret) {
			free(l.v);
			return qkd_err(err, errlen, ret, "%s", qkd_nl_error(nl));
		}
		for (i = 0; i < nstates; i++) {
			struct qkd_card *c;

			if (!states[i].bus_name[0])
				continue;
			c = find_or_add(&l, states[i].bus_name);
			if (!c)
				goto fail_nomem;
			c->have_state = true;
			c->state = states[i];
			if (c->index < 0) {
				c->index = (int)states[i].index;
				snprintf(c->name, sizeof(c->name), "%s", states[i].name);
			}
		}
		free(states);
		states = NULL;
	}

	pci_jmp = &jb;
	if (setjmp(jb)) {
		/* libpci failed; what we have from sysfs and netlink still stands */
		pci_jmp = NULL;
		if (pacc)
			pci_cleanup(pacc);
		if (!l.n) {
			free(l.v);
			return qkd_err(err, errlen, -EIO, "libpci: %s", pci_msg);
		}
		goto done;
	}
	pacc = pci_alloc();
	pacc->error = pci_error_cb;
	pacc->warning = pci_quiet_cb;
	pacc->numeric_ids = 1;
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *d = pacc->devices; d; d = d->next) {
		char addr[32];
		struct qkd_card *c = NULL;

		pci_fill_info(d, PCI_FILL_IDENT);
		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", (unsigned int)d->domain,
			 d->bus, d->dev, d->func);
		if (d->vendor_id == QKD_PCI_VENDOR && d->device_id == QKD_PCI_DEVICE) {
			c = find_or_add(&l, addr);
			if (!c)
				break;
		} else {
			for (i = 0; i < l.n; i++)
				if (!strcmp(l.v[i].pci, addr))
					c = &l.v[i];
		}
		if (c)
			fill_pci(d, c);
	}
	pci_cleanup(pacc);
	pci_jmp = NULL;

done:
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_card);
	*cards = l.v;
	*n = l.n;
	return 0;

fail_nomem:
	free(states);
	free(l.v);
	return qkd_err(err, errlen, -ENOMEM, "out of memory");
}
