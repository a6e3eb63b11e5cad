/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfu.h - the vfio-user server side of qkdemu: one server = one listening UNIX socket =
 * one emulated PCIe function, attached to an unmodified QEMU (-device vfio-user-pci).
 *
 * The server runs on a struct loop (loop.h) and never blocks. It implements the protocol
 * (handshake, region and IRQ information, config space, DMA maps, interrupts) and calls the
 * device model only for BAR accesses and life-cycle events. See
 * Documentation/qkdemu/vfio-user.rst for the subset of the protocol implemented and how
 * every message is validated.
 *
 * Errors are negative errno values (functions returning int) or NULL with errno set
 * (constructors).
 */
#ifndef QKDEMU_VFU_H
#define QKDEMU_VFU_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"

struct vfu;

/**
 * struct vfu_dev_ops - the device model's callbacks
 * @bar_read:  read @len bytes at offset @off of BAR @bar into @buf. @len is 1, 2, 4 or 8
 *             for guest MMIO (QEMU), possibly larger for bulk reads by other clients; the
 *             range is inside the BAR. Return 0 or -errno (the client gets an error
 *             reply). Never called for the BAR holding the MSI-X table and PBA (the server
 *             serves it).
 * @bar_write: write @len bytes from @buf at offset @off of BAR @bar. Same rules. Writes
 *             are usually posted (no reply), so an error only shows in the log.
 * @reset:     optional. The device is reset: VFIO_USER_DEVICE_RESET (the guest or QEMU
 *             reset the function), and when a client that completed the handshake goes
 *             away. DMA maps are gone in the second case, not in the first.
 * @connected: optional. @up true: a client completed the handshake. @up false: it is
 *             gone; called after all its DMA was unmapped, its interrupt eventfds closed
 *             and @reset called.
 * @dma_unmapping: optional. The DMA region [@iova, @iova + @len) is about to go away
 *             (DMA_UNMAP, unmap-all, or disconnect); pointers obtained from
 *             vfu_dma_ptr() inside it become invalid when this returns.
 *
 * Callbacks may call vfu_dma_ptr(), vfu_irq_trigger(), vfu_irq_enabled(),
 * vfu_connected(), vfu_pci_command() and vfu_disconnect(); they must not call vfu_free().
 */
struct vfu_dev_ops {
	int (*bar_read)(void *priv, unsigned int bar, uint64_t off, void *buf, uint32_t len);
	int (*bar_write)(void *priv, unsigned int bar, uint64_t off, const void *buf,
			 uint32_t len);
	void (*reset)(void *priv);
	void (*connected)(void *priv, bool up);
	void (*dma_unmapping)(void *priv, uint64_t iova, uint64_t len);
};

/**
 * struct vfu_pci_info - identity and resources of the emulated PCIe function
 * @vendor:        PCI vendor ID
 * @device:        PCI device ID
 * @subsys_vendor: subsystem vendor ID
 * @subsys_device: subsystem ID
 * @revision:      revision ID
 * @class_code:    24-bit class code (base class << 16 | sub-class << 8 | programming
 *                 interface)
 * @bar_size:      size of each BAR in bytes; 0 = unused. Every BAR is a 64-bit
 *                 non-prefetchable memory BAR, so it occupies two BAR slots: only BAR0,
 *                 BAR2 and BAR4 may be used (odd entries must be 0). A used size is a power
 *                 of two and at least 4096. BAR0 must be used.
 * @msix_vectors:  MSI-X table size, 0..2048 (0: no MSI-X capability)
 * @msix_bar:      the BAR holding the MSI-X table and PBA: 2 or 4, or 0 for BAR2. That BAR
 *                 belongs to the server (the device model never sees accesses to it): the
 *                 table is at offset 0 and the PBA in the middle of the BAR. Its @bar_size
 *                 may be given (a power of two whose halves hold the table and the PBA) or
 *                 0 to let the server choose the smallest such size of at least 8 KiB
 *                 (table and PBA in separate pages).
 *
 * The configuration space is 4096 bytes with a Power Management capability, an MSI-X
 * capability (if @msix_vectors > 0) and a PCI Express capability (endpoint, 2.5 GT/s x1);
 * no extended capabilities; Interrupt Pin 0 (no INTx).
 */
struct vfu_pci_info {
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint8_t revision;
	uint32_t class_code;
	uint64_t bar_size[6];
	unsigned int msix_vectors;
	unsigned int msix_bar;
};

/** enum vfu_log_level - severity of a vfu log message */
enum vfu_log_level {
	VFU_LOG_ERR,   /* the server lost a client or could not do something it should */
	VFU_LOG_WARN,  /* a client sent something invalid and got an error */
	VFU_LOG_INFO,  /* connections, resets */
	VFU_LOG_DEBUG, /* every message */
};

/**
 * typedef vfu_log_fn - receives the server's log messages
 * @arg:   the pointer given to vfu_set_log()
 * @level: severity
 * @msg:   one line, without a trailing newline, starting with the socket path
 */
typedef void (*vfu_log_fn)(void *arg, enum vfu_log_level level, const char *msg);

/**
 * vfu_log_stderr() - a vfu_log_fn writing "vfu: LEVEL: MESSAGE" lines to stderr
 * @arg:   unused
 * @level: severity
 * @msg:   the message
 */
void vfu_log_stderr(void *arg, enum vfu_log_level level, const char *msg);

/**
 * struct vfu_stats - counters of one server (since vfu_new())
 * @clients:  clients that connected and were served
 * @refused:  connections closed at once because a client was already attached
 * @dropped:  clients dropped because their byte stream could not be trusted any more
 * @commands: commands processed
 * @errors:   commands that failed (answered with an error, or logged if posted)
 * @dma_maps: DMA regions currently mapped (with or without fd)
 */
struct vfu_stats {
	uint64_t clients, refused, dropped, commands, errors, dma_maps;
};

/**
 * vfu_new() - create a server listening on a UNIX socket
 * @loop:        the event loop it runs on
 * @socket_path: where to create the socket. An existing socket nobody listens on is
 *               replaced; a live one (EADDRINUSE) or another kind of file (EEXIST) is not.
 * @info:        the PCI identity and resources (copied)
 * @ops:         the device model's callbacks (not copied: must outlive the server)
 * @priv:        passed to every callback
 *
 * Return: the server, or NULL with errno set (EINVAL for an invalid @info or @ops,
 * ENAMETOOLONG, EADDRINUSE, EEXIST, or what socket(), bind() and listen() fail with).
 */
struct vfu *vfu_new(struct loop *loop, const char *socket_path,
		    const struct vfu_pci_info *info, const struct vfu_dev_ops *ops, void *priv);

/**
 * vfu_free() - close the client (as on a disconnect, with callbacks), stop listening and
 * unlink the socket (if it is still the one this server created)
 * @v: the server (NULL is allowed); not from one of its callbacks
 */
void vfu_free(struct vfu *v);

/**
 * vfu_set_log() - direct the server's log
 * @v:         the server
 * @fn:        receives messages up to @max_level; NULL discards everything
 * @arg:       passed to @fn
 * @max_level: the most verbose level passed on
 *
 * The default is vfu_log_stderr() up to VFU_LOG_WARN.
 */
void vfu_set_log(struct vfu *v, vfu_log_fn fn, void *arg, enum vfu_log_level max_level);

/**
 * vfu_dma_ptr() - translate a guest DMA range to a local pointer
 * @v:    the server
 * @iova: guest I/O virtual address (guest physical address without a vIOMMU)
 * @len:  length in bytes (> 0)
 * @prot: PROT_READ, PROT_WRITE or both: what the device is going to do
 *
 * Return: a pointer to the range, valid until control returns to the loop (a DMA_UNMAP
 * can only be processed then), or NULL if the range is not fully inside one DMA region
 * that came with a file descriptor and allows @prot.
 */
void *vfu_dma_ptr(struct vfu *v, uint64_t iova, uint64_t len, int prot);

/**
 * vfu_irq_trigger() - raise MSI-X vector @msix_vector
 * @v:           the server
 * @msix_vector: vector number
 *
 * Return: 0, -EINVAL if the vector does not exist, -ENOENT if the client set no eventfd
 * for it (MSI-X disabled or vector unused), or -errno from writing the eventfd.
 */
int vfu_irq_trigger(struct vfu *v, unsigned int msix_vector);

/**
 * vfu_irq_enabled() - whether vfu_irq_trigger() on @msix_vector would signal an eventfd
 * @v:           the server
 * @msix_vector: vector number
 */
bool vfu_irq_enabled(struct vfu *v, unsigned int msix_vector);

/**
 * vfu_connected() - whether a client is attached and completed the version handshake
 * @v: the server
 */
bool vfu_connected(struct vfu *v);

/**
 * vfu_disconnect() - surprise removal: close the client's socket now
 * @v: the server
 *
 * Does what a client disconnect does (DMA unmapped, eventfds closed, reset, connected
 * false). From a callback run for a message, the socket is closed right after that
 * message. The server keeps listening for the next client.
 */
void vfu_disconnect(struct vfu *v);

/**
 * vfu_pci_command() - the PCI Command register as the client last wrote it
 * @v: the server
 *
 * Return: the register; PCI_COMMAND_MASTER (bit 2) tells whether the guest allowed the
 * function to do DMA.
 */
uint16_t vfu_pci_command(struct vfu *v);

/**
 * vfu_msix_bar() - the BAR holding the MSI-X table and PBA
 * @v: the server
 *
 * Return: 2 or 4, or -1 without MSI-X. The PBA is at half the BAR's size.
 */
int vfu_msix_bar(struct vfu *v);

/**
 * vfu_socket_path() - the socket path the server listens on
 * @v: the server
 */
const char *vfu_socket_path(const struct vfu *v);

/**
 * vfu_get_stats() - read the server's counters
 * @v:  the server
 * @st: filled in
 */
void vfu_get_stats(const struct vfu *v, struct vfu_stats *st);

#endif /* QKDEMU_VFU_H */
