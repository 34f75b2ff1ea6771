/*
 * The hypervisor's formatter: what hyp_log() and the messages it builds
 * use. No floating point, no allocation.
 */
#include <stdarg.h>

#include "hyp.h"

/* A minimal formatter: %s %c %d %i %u %x %p %%, flags '#' '0', width, l/ll/z.
 */
int hyp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = 0;

#define EMIT(ch)                       \
	do {                           \
		if (n + 1 < size)      \
			buf[n] = (ch); \
		n++;                   \
	} while (0)

	for (; *fmt; fmt++) {
		char digits[24];
		int width = 0, nd = 0, lng = 0;
		bool alt = false, zero = false, neg = false;
		unsigned long long u = 0;
		unsigned int base = 10;

		if (*fmt != '%') {
			EMIT(*fmt);
			continue;
		}
		for (fmt++; *fmt == '#' || *fmt == '0'; fmt++)
			*fmt == '#' ? (alt = true) : (zero = true);
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				EMIT(*s);
			continue;
		}
		case 'c':
			EMIT((char)va_arg(ap, int));
			continue;
		case '%':
			EMIT('%');
			continue;
		case 'd':
		case 'i': {
			long long sv =
			    lng ? va_arg(ap, long long) : va_arg(ap, int);

			neg = sv < 0;
			u = neg ? -(unsigned long long)sv
				: (unsigned long long)sv;
			break;
		}
		case 'p':
			alt = true;
			lng = 2;
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			u = lng ? va_arg(ap, unsigned long long)
				: va_arg(ap, unsigned int);
			break;
		default:
			EMIT('?');
			continue;
		}
		do {
			digits[nd++] = "0123456789abcdef"[u % base];
			u /= base;
		} while (u);
		if (neg)
			EMIT('-');
		if (alt && base == 16) {
			EMIT('0');
			EMIT('x');
		}
		for (int pad = width - nd - neg; pad > 0; pad--)
			EMIT(zero ? '0' : ' ');
		while (nd)
			EMIT(digits[--nd]);
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
#undef EMIT
	return (int)n;
}

int hyp_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hyp_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
