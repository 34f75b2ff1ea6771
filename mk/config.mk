# The system description: config/$(SYSTEM).dts, compiled by dtc, then
# checked by tools/tenon-config (a host program) and turned into
# $(BUILD)/sys/$(SYSTEM)/: the hypervisor's table (sysconfig.c), each
# partition's device tree (<name>.dtb), QEMU's loader arguments
# (qemu-loads) and summary.txt. docs/system-description.md has the schema.
#   make config [SYSTEM=name]   check and generate, print the layout
#   make check-config           the checker's tests (tests/config/run.sh)

SYSTEM ?= qemu-virt
DTC ?= dtc
CONFIG_TOOL := $(BUILD)/tools/tenon-config
CONFIG_DTB := $(BUILD)/config/$(SYSTEM).dtb
SYS_DIR := $(BUILD)/sys/$(SYSTEM)
CONFIG_CFLAGS := $(CSTD) $(WARN) -O2 -g -Iabi
# The files the system loads (image = "...", initrd = "..."), relative to
# $(BUILD): the real-time images (a64/bin/<app>.bin) and Linux's are made
# by their own rules; the tool says which one is missing, if any.
# Only those that exist or that a rule makes are prerequisites, so that for
# any other the tool's own message says what is wrong.
SYSTEM_FILES = $(patsubst %,$(BUILD)/%,$(shell sed -n -E \
	's/^[[:space:]]*(image|initrd)[[:space:]]*=[[:space:]]*"([^"]*)".*/\2/p' \
	config/$(SYSTEM).dts 2>/dev/null))
BUILDABLE_IMAGES = $(patsubst %,$(BUILD)/a64/bin/%.bin,$(APPS) $(APP_EXT) control \
	$(A64_GUESTS) testsuite) \
	$(BUILD)/linux/Image $(BUILD)/linux/initramfs.cpio.gz
SYSTEM_IMAGES = $(filter $(BUILDABLE_IMAGES) $(wildcard $(SYSTEM_FILES)),\
	$(SYSTEM_FILES))
CONFIG_RUN = $(CONFIG_TOOL) --source config/$(SYSTEM).dts --build $(BUILD) \
	--out $(SYS_DIR) $(CONFIG_DTB)

.PHONY: config check-config

$(CONFIG_TOOL): $(wildcard tools/config/*.c tools/config/*.h) \
		abi/tenon/sysconfig.h abi/tenon/hm.h
	@mkdir -p $(@D)
	$(CC) $(CONFIG_CFLAGS) $(filter %.c,$^) -lfdt -o $@

# dtc's warnings are shown; its errors fail the build.
$(BUILD)/config/%.dtb: config/%.dts
	@mkdir -p $(@D)
	$(DTC) -I dts -O dtb -o $@ $<

# A real-time image as a partition loads it: raw, from its first address.
$(BUILD)/a64/bin/%.bin: $(BUILD)/a64/bin/%.elf
	$(CROSS)objcopy -O binary $< $@

# The generated files, for the rules that use them (the tool rewrites only
# those that change, so the stamp tells when it last ran).
$(SYS_DIR)/.generated: $(CONFIG_TOOL) $(CONFIG_DTB) $(SYSTEM_IMAGES)
	$(CONFIG_RUN)
	@touch $@

$(SYS_DIR)/sysconfig.c $(SYS_DIR)/qemu-loads $(SYS_DIR)/machine \
$(SYS_DIR)/summary.txt: \
		$(SYS_DIR)/.generated ;

config: $(CONFIG_TOOL) $(CONFIG_DTB) $(SYSTEM_IMAGES)
	$(CONFIG_RUN) -v
	@touch $(SYS_DIR)/.generated

check-config: $(CONFIG_TOOL)
	sh tests/config/run.sh $(BUILD)
