/*
 * Number parsing, absolute values and sorting (see stdlib.h). The strto*
 * calls share one parser, which reads the magnitude as an unsigned long
 * long; each then clamps it to its own type.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* The library's one errno (see errno.h), set here and by printf. */
int errno;

#define LONG_MAX_ __LONG_MAX__
#define LLONG_MAX_ __LONG_LONG_MAX__
#define ULONG_MAX_ (__LONG_MAX__ * 2UL + 1)
#define ULLONG_MAX_ (__LONG_LONG_MAX__ * 2ULL + 1)

/* The value of a digit in bases up to 36, or 36 if c is none. */
static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 36;
}

/*
 * Reads a number as strtoull() does and returns its magnitude, *neg if a
 * minus sign came first, *over if the magnitude is beyond ULLONG_MAX (the
 * digits are read on all the same). Without digits, *end is s.
 */
static unsigned long long parse(const char *s, char **end, int base, int *neg,
				int *over)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long long acc = 0;
	int any = 0;

	*neg = 0;
	*over = 0;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '-' || *p == '+')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		unsigned d = (unsigned)digit_value(*p);

		if (d >= (unsigned)base)
			break;
		any = 1;
		if (acc > (ULLONG_MAX_ - d) / (unsigned)base)
			*over = 1;
		else
			acc = acc * (unsigned)base + d;
	}
	if (end)
		*end = (char *)(any ? (const char *)p : s);
	return acc;
}

/* The value of a signed type whose largest value is max, clamped. */
static long long clamp_signed(unsigned long long v, int neg, int over,
			      long long max)
{
	if (over || v > (unsigned long long)max + (unsigned)neg) {
		errno = ERANGE;
		return neg ? -max - 1 : max;
	}
	if (!neg || !v)
		return (long long)v;
	return -(long long)(v - 1) - 1;
}

/* The same for an unsigned type: a minus sign negates modulo max + 1. */
static unsigned long long clamp_unsigned(unsigned long long v, int neg,
					 int over, unsigned long long max)
{
	if (over || v > max) {
		errno = ERANGE;
		return max;
	}
	return neg ? (0 - v) & max : v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	int neg, over;
	unsigned long long v = parse(s, end, base, &neg, &over);

	return (long)clamp_signed(v, neg, over, LONG_MAX_);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	int neg, over;
	unsigned long long v = parse(s, end, base, &neg, &over);

	return clamp_signed(v, neg, over, LLONG_MAX_);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	int neg, over;
	unsigned long long v = parse(s, end, base, &neg, &over);

	return (unsigned long)clamp_unsigned(v, neg, over, ULONG_MAX_);
}

unsigned long long strtoull(const char *restrict s, char **restrict end,
			    int base)
{
	int neg, over;
	unsigned long long v = parse(s, end, base, &neg, &over);

	return clamp_unsigned(v, neg, over, ULLONG_MAX_);
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

long long llabs(long long x)
{
	return x < 0 ? -x : x;
}

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Moves the element at root down the heap of n elements to its place. */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	if (n < 2 || !size)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (size_t last = n - 1; last > 0; last--) {
		swap(b, b + last * size, size);
		sift_down(b, 0, last, size, cmp);
	}
}
