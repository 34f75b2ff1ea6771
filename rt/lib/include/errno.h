/*
 * Error numbers, with the values Linux and glibc give them, and errno,
 * which the library's calls set (strtol and its kin, printf on overflow).
 */
#ifndef TENON_LIBC_ERRNO_H
#define TENON_LIBC_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define EFBIG 27
#define ENOSPC 28
#define ERANGE 34
#define EDEADLK 35
#define ENOSYS 38
#define ELOOP 40
#define EIDRM 43
#define ENODATA 61
#define EOVERFLOW 75
#define EBADFD 77
#define EMSGSIZE 90
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define EALREADY 114
#define EINPROGRESS 115
#define EUCLEAN 117
#define EOWNERDEAD 130

/* One for the whole machine: the library keeps no per-thread state. */
extern int errno;

#endif
