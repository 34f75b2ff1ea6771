# The Linux partition's boot assets: Debian's unmodified arm64 kernel and a
# busybox initramfs, made by tools/linux-assets.sh from Debian packages it
# downloads once into cache/ (apt-get download, not installed on the host).
#   make linux-assets   fetches (if missing) and brings both up to date

LINUX_CACHE := cache
LINUX_INITRAMFS_SRC := $(shell find linux/initramfs -type f 2>/dev/null)
# The project's own programs for the initramfs (linux/tools/*.c).
LINUX_EXTRA := $(patsubst linux/tools/%.c,$(BUILD)/linux/extra/%,\
	$(wildcard linux/tools/*.c)) $(BUILD)/linux/extra/tenon \
	$(BUILD)/linux/extra/hmtest.bin

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
				  $(LINUX_EXTRA) linux/python/tenon.py FORCE | \
				  $(BUILD)/linux/Image
	@sh tools/linux-assets.sh $(BUILD) $(LINUX_CACHE)

FORCE:
.PHONY: FORCE

# The project's own programs in the initramfs: static, no C library (but
# for tenon-regfuzz, below).
$(BUILD)/linux/extra/%: linux/tools/%.c
	@mkdir -p $(@D)
	$(A64_CC) $(CSTD) $(WARN) -O2 -static -nostdlib -ffreestanding \
		-fno-stack-protector -mno-outline-atomics $< -lgcc -o $@

# A real-time image for the manager to load (tenon partition load, the
# system tests' hm-load hook).
$(BUILD)/linux/extra/hmtest.bin: $(BUILD)/a64/bin/hmtest.bin
	@mkdir -p $(@D)
	cp $< $@

# tenon-regfuzz needs the C library (signals, sigsetjmp, getopt): built
# like the tenon command, static, with Debian's cross C library.
$(BUILD)/linux/extra/tenon-regfuzz: linux/tools/tenon-regfuzz.c \
				    abi/tenon/channel_abi.h
	@mkdir -p $(@D)
	$(CROSS)gcc $(CSTD) $(WARN) -O2 -Iabi -static -s $< -o $@

# ---- Channels on Linux: libtenon, the tenon command, their tests ----------
# libtenon (linux/libtenon/) and the tenon command (linux/cmd/) are built
# for the Linux partition with Debian's cross C library (static and
# shared; the command static, into the initramfs), and for the host with
# the sanitizers, where the tests run them against a fake device
# (tests/linux/) and the fuzzer drives the protocol (tests/fuzz/).
LIBTENON_SRC := linux/libtenon/device.c linux/libtenon/channel.c \
	linux/libtenon/manager.c
TENON_CMD_SRC := linux/cmd/tenon.c linux/cmd/ps.c linux/cmd/bench.c \
	linux/cmd/partition.c
LINUX_INC := -Iabi -Ilinux/libtenon -Ilinux/cmd
A64L_CC := $(CROSS)gcc
A64L_CFLAGS := $(CSTD) $(WARN) -O2 -g $(LINUX_INC) -fPIC

$(BUILD)/a64l/%.o: %.c
	@mkdir -p $(@D)
	$(A64L_CC) $(A64L_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/linux/lib/libtenon.a: $(call objs,a64l,$(LIBTENON_SRC))
	@mkdir -p $(@D)
	rm -f $@
	$(CROSS)ar rcs $@ $^

$(BUILD)/linux/lib/libtenon.so: $(call objs,a64l,$(LIBTENON_SRC))
	@mkdir -p $(@D)
	$(A64L_CC) -shared -Wl,-soname,libtenon.so.1 $^ -o $@

$(BUILD)/linux/extra/tenon: $(call objs,a64l,$(TENON_CMD_SRC)) \
			    $(BUILD)/linux/lib/libtenon.a \
			    $(BUILD)/linux/lib/libtenon.so
	@mkdir -p $(@D)
	$(A64L_CC) -static -s $(call objs,a64l,$(TENON_CMD_SRC)) \
		$(BUILD)/linux/lib/libtenon.a -o $@

# The host builds, with the sanitizers.
$(BUILD)/san/linux/%.o $(BUILD)/san/tests/linux/%.o \
$(BUILD)/san/tests/fuzz/%.o: SAN_CFLAGS += $(LINUX_INC)

$(BUILD)/san/bin/libtenon-tests: $(call objs,san,$(LIBTENON_SRC) \
				tests/linux/test_libtenon.c \
				tests/linux/test_manager.c \
				linux/cmd/partition.c \
				tests/linux/fake.c tests/harness.c)
$(BUILD)/san/bin/libtenon-tests: SAN_LDLIBS := -lpthread
# Linked by the Makefile's rule for the host programs.
$(BUILD)/san/bin/tenon: $(call objs,san,$(LIBTENON_SRC) $(TENON_CMD_SRC))
$(BUILD)/san/bin/chan-fuzz: $(call objs,san,tests/fuzz/chan_fuzz.c)

LINUX_HOST_TESTS := $(BUILD)/san/bin/libtenon-tests $(BUILD)/san/bin/tenon \
	$(BUILD)/san/bin/chan-fuzz $(BUILD)/linux/extra/tenon

.PHONY: check-linux bench-fuzz
check: $(LINUX_HOST_TESTS)

# The Linux side's host tests: libtenon, the tenon command and the Python
# module against fake devices, and a bounded fuzz run.
check-linux: $(LINUX_HOST_TESTS)
	sh tests/linux/run.sh $(BUILD)

# The fuzzer's long run: ten million cases.
bench-fuzz: $(BUILD)/san/bin/chan-fuzz
	$(BUILD)/san/bin/chan-fuzz -n 10000000
