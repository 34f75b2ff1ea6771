# Real-time applications. Every directory apps/NAME/ holding C sources is
# one: all its .c files are linked with the core, for the machine
# ($(BUILD)/a64/bin/NAME.elf, and NAME.bin as a partition loads it) and for
# the host simulator ($(BUILD)/sim/bin/NAME). An application kept outside
# the tree is named with APP_DIR=path; its name is the directory's.
# A file apps/NAME/machine-only says why NAME cannot run on the simulator.
#   make new-app NAME=x [DIR=path]   starts one from tools/app-template.c

# latbench is latmus and hectic linked together, control the heater loop
# and latmus (mk/aarch64.mk): machine images only.
APP_SPECIAL := latbench control
APPS := $(filter-out $(APP_SPECIAL),$(sort $(patsubst apps/%/,%,\
	$(dir $(wildcard apps/*/*.c)))))

# app_src NAME: its C sources; app_dir NAME: where they are.
app_dir = $(if $(filter $(1),$(APP_EXT)),$(APP_DIR),apps/$(1))
app_src = $(wildcard $(call app_dir,$(1))/*.c)
app_sim_ok = $(if $(wildcard $(call app_dir,$(1))/machine-only),,$(1))

ifneq ($(strip $(APP_DIR)),)
APP_EXT := $(notdir $(abspath $(APP_DIR)))
ifeq ($(wildcard $(APP_DIR)/*.c),)
$(error APP_DIR=$(APP_DIR): no C sources there)
endif
ifneq ($(filter $(APP_EXT),$(APPS) $(APP_SPECIAL)),)
$(error APP_DIR=$(APP_DIR): apps/$(APP_EXT) has the same name; rename the directory)
endif
APP := $(APP_EXT)
# Its objects go under $(BUILD)/<variant>/ext/, in a directory named after
# its whole path (two directories of the same name must not share objects),
# and its own headers are found.
APP_OBJDIR := ext/$(subst /,_,$(abspath $(APP_DIR)))
$(BUILD)/a64/$(APP_OBJDIR)/%.o: $(APP_DIR)/%.c
	@mkdir -p $(@D)
	$(A64_CC) $(A64_CFLAGS) -I$(APP_DIR) -MMD -MP -c $< -o $@

$(BUILD)/sim/$(APP_OBJDIR)/%.o: $(APP_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -I$(APP_DIR) -MMD -MP -c $< -o $@
endif

# app_objs VARIANT NAME
app_objs = $(if $(filter $(2),$(APP_EXT)),\
	$(patsubst $(APP_DIR)/%.c,$(BUILD)/$(1)/$(APP_OBJDIR)/%.o,$(call app_src,$(2))),\
	$(call objs,$(1),$(call app_src,$(2))))

SIM_APPS := $(foreach a,$(APPS),$(call app_sim_ok,$(a)))

define app_rules
$(BUILD)/a64/bin/$(1).elf: $(call app_objs,a64,$(1)) $(A64_KOBJS) \
			   $(A64_LIBC_OBJS)
	@mkdir -p $$(@D)
	$(A64_CC) $(A64_LDFLAGS) $$^ -lgcc -o $$@

ifneq ($(call app_sim_ok,$(1)),)
$(BUILD)/sim/bin/$(1): $(call app_objs,sim,$(1)) $(call objs,sim,$(RT_KERNEL) \
		       $(RT_SIM) $(RT_SIM_MAIN))
	@mkdir -p $$(@D)
	$(CC) $(SIM_CFLAGS) $$^ -o $$@
else
$(BUILD)/sim/bin/$(1):
	@echo "$(1) runs only on the machine: $$$$(cat $(call app_dir,$(1))/machine-only)" >&2
	@exit 2
endif
endef
$(foreach a,$(APPS) $(APP_EXT),$(eval $(call app_rules,$(a))))

# Every application's image and the test suite's.
a64-images: $(patsubst %,$(BUILD)/a64/bin/%.elf,$(APPS) testsuite)

.PHONY: a64-images

# Say which applications there are when APP names none of them.
check-app-name:
	@if [ -z "$(filter $(APP),$(APPS) $(APP_EXT))" ]; then \
		echo "APP=$(APP): no such application; there are: $(APPS)" >&2; \
		echo "(or give APP_DIR=path for one outside apps/)" >&2; \
		exit 2; \
	fi

new-app:
	@sh tools/new-app.sh "$(NAME)" "$(if $(DIR),$(DIR),apps/$(NAME))"

.PHONY: check-app-name new-app
