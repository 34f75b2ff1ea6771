# The Linux partition's boot assets: Debian's unmodified arm64 kernel and a
# busybox initramfs, made by tools/linux-assets.sh from Debian packages it
# downloads once into cache/ (apt-get download, not installed on the host).
#   make linux-assets   fetches (if missing) and brings both up to date

LINUX_CACHE := cache
LINUX_INITRAMFS_SRC := $(shell find linux/initramfs -type f 2>/dev/null)
# The project's own programs for the initramfs (linux/tools/*.c).
LINUX_EXTRA := $(patsubst linux/tools/%.c,$(BUILD)/linux/extra/%,\
	$(wildcard linux/tools/*.c))

.PHONY: linux-assets

linux-assets: $(LINUX_EXTRA)
	@sh tools/setup.sh
	@sh tools/linux-assets.sh $(BUILD) $(LINUX_CACHE)

# One run of the script makes both files; the order-only prerequisite keeps
# two runs from sharing the cache at once under make -j.
# The script makes the initramfs too: the programs must be there first.
$(BUILD)/linux/Image: tools/linux-assets.sh | $(LINUX_EXTRA)
	@sh tools/linux-assets.sh $(BUILD) $(LINUX_CACHE)

# It runs every time (it does nothing when nothing changed): the user's
# packages (linux/packages, LINUX_PACKAGES=...) and overlays (linux/overlay/,
# LINUX_OVERLAY=dir) are its to compare with what the archive holds.
$(BUILD)/linux/initramfs.cpio.gz: tools/linux-assets.sh $(LINUX_INITRAMFS_SRC) \
				  $(LINUX_EXTRA) FORCE | $(BUILD)/linux/Image
	@sh tools/linux-assets.sh $(BUILD) $(LINUX_CACHE)

FORCE:
.PHONY: FORCE

# The project's own programs in the initramfs: static, no C library.
$(BUILD)/linux/extra/%: linux/tools/%.c
	@mkdir -p $(@D)
	$(A64_CC) $(CSTD) $(WARN) -O2 -static -nostdlib -ffreestanding \
		-fno-stack-protector -mno-outline-atomics $< -lgcc -o $@
