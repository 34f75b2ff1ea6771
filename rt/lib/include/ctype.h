/*
 * Character classes of the freestanding C library: ASCII only, as
 * functions; anything outside 0..127 (EOF included) is in no class.
 */
#ifndef TENON_LIBC_CTYPE_H
#define TENON_LIBC_CTYPE_H

int isdigit(int c);
int isxdigit(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isspace(int c);
int isprint(int c);
int toupper(int c);
int tolower(int c);

#endif
