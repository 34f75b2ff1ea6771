/*
 * For the host tests only: the Makefile compiles the library sources with
 * "-include rt/lib/host_prefix.h", which renames every public name of the
 * library to tn_libc_<name>, so that the library links beside glibc and
 * tests/unit/test_libc.c can compare the two. The bare-metal build does not
 * use this file; the sources hold no trace of it.
 */
#ifndef TENON_LIBC_HOST_PREFIX_H
#define TENON_LIBC_HOST_PREFIX_H

/* errno.h */
#define errno tn_libc_errno

/* string.h */
#define memcpy tn_libc_memcpy
#define memmove tn_libc_memmove
#define memset tn_libc_memset
#define memcmp tn_libc_memcmp
#define memchr tn_libc_memchr
#define strlen tn_libc_strlen
#define strnlen tn_libc_strnlen
#define strcmp tn_libc_strcmp
#define strncmp tn_libc_strncmp
#define strcpy tn_libc_strcpy
#define strncpy tn_libc_strncpy
#define strcat tn_libc_strcat
#define strchr tn_libc_strchr
#define strrchr tn_libc_strrchr
#define strstr tn_libc_strstr

/* ctype.h */
#define isdigit tn_libc_isdigit
#define isxdigit tn_libc_isxdigit
#define isalpha tn_libc_isalpha
#define isalnum tn_libc_isalnum
#define isupper tn_libc_isupper
#define islower tn_libc_islower
#define isspace tn_libc_isspace
#define isprint tn_libc_isprint
#define toupper tn_libc_toupper
#define tolower tn_libc_tolower

/* stdlib.h */
#define strtol tn_libc_strtol
#define strtoul tn_libc_strtoul
#define strtoll tn_libc_strtoll
#define strtoull tn_libc_strtoull
#define atoi tn_libc_atoi
#define atol tn_libc_atol
#define abs tn_libc_abs
#define labs tn_libc_labs
#define llabs tn_libc_llabs
#define qsort tn_libc_qsort
#define abort tn_libc_abort
#define exit tn_libc_exit

/* stdio.h (tn_libc_write keeps its name: the test supplies it) */
#define stdout tn_libc_stdout
#define stderr tn_libc_stderr
#define vsnprintf tn_libc_vsnprintf
#define snprintf tn_libc_snprintf
#define vfprintf tn_libc_vfprintf
#define fprintf tn_libc_fprintf
#define vprintf tn_libc_vprintf
#define printf tn_libc_printf
#define fputc tn_libc_fputc
#define putchar tn_libc_putchar
#define fputs tn_libc_fputs
#define puts tn_libc_puts
#define fflush tn_libc_fflush

/* unistd.h */
#define optarg tn_libc_optarg
#define optind tn_libc_optind
#define opterr tn_libc_opterr
#define optopt tn_libc_optopt
#define getopt tn_libc_getopt

#endif
