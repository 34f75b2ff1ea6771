/*
 * Constants shared by the port's assembly and C: register values and
 * stack sizes. Structure offsets come from the C structures instead
 * (asm-offsets.c).
 */
#ifndef TENON_ARCH_AARCH64_ASM_H
#define TENON_ARCH_AARCH64_ASM_H

#define MAX_CPUS 32
#define EXCEPTION_STACK_SIZE 16384
#define IDLE_STACK_SIZE 32768

/* attr0: normal write-back; attr1: device nGnRnE; attr2: normal non-cacheable.
 */
#define MAIR_VALUE 0x4400ff
/* 4 GiB of VA from TTBR0, 4 KiB granule, walks inner shareable WB. */
#define TCR_VALUE 0x803520
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL1_ON 0x1005 /* M, C, I */

#define ICC_SRE_EL2 S3_4_C12_C9_5

#endif
