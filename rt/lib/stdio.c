/*
 * The printf family (see stdio.h). One formatter writes into a buffer: the
 * caller's for snprintf, 256 bytes of stack handed to tn_libc_write() each
 * time they fill for printf. Doubles are converted exactly, with integers
 * only (struct decimal), then rounded to nearest, ties to even, as glibc.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Both streams go to the console today; fd tells them apart for later. */
struct tn_libc_file {
	int fd;
};

static struct tn_libc_file console_out = {1}, console_err = {2};

FILE *const stdout = &console_out;
FILE *const stderr = &console_err;

#define STREAM_BUF 256

/* Where formatted output goes. */
struct out {
	char *buf;
	size_t cap;   /* bytes buf takes */
	size_t len;   /* bytes in buf */
	size_t total; /* bytes produced, kept or not */
	int stream;   /* when buf is full: write it out (else drop the rest) */
};

static void out_flush(struct out *o)
{
	if (o->stream && o->len)
		tn_libc_write(o->buf, o->len);
	o->len = 0;
}

static void put(struct out *o, char c)
{
	o->total++;
	if (o->len == o->cap) {
		if (!o->stream)
			return;
		out_flush(o);
	}
	o->buf[o->len++] = c;
}

static void put_n(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

static void put_str(struct out *o, const char *s, size_t n)
{
	while (n--)
		put(o, *s++);
}

#define F_MINUS 1u
#define F_PLUS 2u
#define F_SPACE 4u
#define F_ZERO 8u
#define F_ALT 16u

/* One conversion: %[flags][width][.prec][length]conv. */
struct spec {
	unsigned flags;
	size_t width;
	int prec; /* -1 when not given */
	char conv;
};

/* The spaces before a field of len bytes, and after for a '-' one. */
static void pad_left(struct out *o, const struct spec *sp, size_t len)
{
	if (!(sp->flags & F_MINUS) && sp->width > len)
		put_n(o, ' ', sp->width - len);
}

static void pad_right(struct out *o, const struct spec *sp, size_t len)
{
	if ((sp->flags & F_MINUS) && sp->width > len)
		put_n(o, ' ', sp->width - len);
}

/* The zeros that make a field of len bytes as wide as asked, for '0'. */
static size_t zero_fill(const struct spec *sp, size_t len)
{
	if ((sp->flags & (F_ZERO | F_MINUS)) != F_ZERO || sp->width <= len)
		return 0;
	return sp->width - len;
}

/* What comes before a number: '-', '+', ' ' or nothing (0). */
static char sign_char(unsigned flags, int negative)
{
	if (negative)
		return '-';
	if (flags & F_PLUS)
		return '+';
	return flags & F_SPACE ? ' ' : 0;
}

static void fmt_text(struct out *o, const struct spec *sp, const char *s,
		     size_t n)
{
	pad_left(o, sp, n);
	put_str(o, s, n);
	pad_right(o, sp, n);
}

/* An integer of magnitude v; sign is '-', '+', ' ' or 0. */
static void fmt_int(struct out *o, const struct spec *sp, uintmax_t v,
		    char sign)
{
	const char *set =
	    sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = 10;
	char digits[3 * sizeof(v) + 1], prefix[3];
	size_t n = 0, zeros, plen = 0, len;

	if (sp->conv == 'o')
		base = 8;
	else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	if (sign)
		prefix[plen++] = sign;
	if (base == 16 && v && (sp->flags & F_ALT)) {
		prefix[plen++] = '0';
		prefix[plen++] = sp->conv == 'X' ? 'X' : 'x';
	}
	for (; v; v /= base)
		digits[sizeof(digits) - ++n] = set[v % base];
	/* At least prec digits; one unless prec is 0 (then none for 0). */
	zeros = sp->prec < 0 ? !n : (size_t)sp->prec > n ? sp->prec - n : 0;
	if (base == 8 && (sp->flags & F_ALT) && !zeros &&
	    (!n || digits[sizeof(digits) - n] != '0'))
		zeros = 1;
	len = plen + zeros + n;
	if (sp->prec < 0) {
		size_t more = zero_fill(sp, len);

		zeros += more;
		len += more;
	}
	pad_left(o, sp, len);
	put_str(o, prefix, plen);
	put_n(o, '0', zeros);
	put_str(o, digits + sizeof(digits) - n, n);
	pad_right(o, sp, len);
}

/*
 * A finite double as an exact decimal: the integer in limb[] (base 10^9,
 * least significant limb first), of ndig digits, times 10^(exp - ndig + 1),
 * so that exp is the power of ten of its first digit. A double is m * 2^e
 * with m < 2^53: for e >= 0 that is an integer of up to 309 digits, else it
 * is m * 5^-e / 10^-e, and m * 5^1074 has up to 767 digits.
 */
#define LIMB_BASE 1000000000u
#define LIMB_DIGITS 9
#define LIMBS 90

struct decimal {
	uint32_t limb[LIMBS];
	int n;
	int ndig; /* 0 for zero */
	int exp;
};

static const uint32_t limb_pow10[LIMB_DIGITS] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

static void decimal_mul(struct decimal *d, uint32_t m)
{
	uint64_t carry = 0;

	for (int i = 0; i < d->n; i++) {
		uint64_t x = (uint64_t)d->limb[i] * m + carry;

		d->limb[i] = (uint32_t)(x % LIMB_BASE);
		carry = x / LIMB_BASE;
	}
	for (; carry; carry /= LIMB_BASE)
		d->limb[d->n++] = (uint32_t)(carry % LIMB_BASE);
}

/* x is finite and not negative. */
static void decimal_from_double(struct decimal *d, double x)
{
	union {
		double f;
		uint64_t u;
	} bits = {x};
	int be = (int)((bits.u >> 52) & 0x7ff), e, scale = 0, top;
	uint64_t m = bits.u & ((1ull << 52) - 1);

	if (be) {
		m |= 1ull << 52;
		e = be - 1075;
	} else {
		e = -1074;
	}
	d->n = 0;
	d->ndig = 0;
	d->exp = 0;
	if (!m)
		return;
	for (; !(m & 1); m >>= 1)
		e++;
	for (; m; m /= LIMB_BASE)
		d->limb[d->n++] = (uint32_t)(m % LIMB_BASE);
	if (e >= 0) {
		for (; e >= 29; e -= 29)
			decimal_mul(d, 1u << 29);
		decimal_mul(d, 1u << e);
	} else {
		/* 5^13 is the largest power of 5 under 2^32. */
		for (scale = -e; e <= -13; e += 13)
			decimal_mul(d, 1220703125u);
		for (; e < 0; e++)
			decimal_mul(d, 5);
	}
	for (top = 1;
	     top < LIMB_DIGITS && d->limb[d->n - 1] >= limb_pow10[top];)
		top++;
	d->ndig = LIMB_DIGITS * (d->n - 1) + top;
	d->exp = d->ndig - 1 - scale;
}

/* Digit i of d, the first being 0; 0 <= i < d->ndig. */
static int decimal_digit(const struct decimal *d, int i)
{
	int top = d->ndig - LIMB_DIGITS * (d->n - 1), limb, place;

	if (i < top) {
		limb = d->n - 1;
		place = top - 1 - i;
	} else {
		i -= top;
		limb = d->n - 2 - i / LIMB_DIGITS;
		place = LIMB_DIGITS - 1 - i % LIMB_DIGITS;
	}
	return (int)(d->limb[limb] / limb_pow10[place] % 10);
}

/*
 * d rounded to its first keep digits, read through rounded_digit(): the
 * digits after keep are 0; rounding up raised digit bump by one and zeroed
 * the nines after it, or, when all were nines, made the value 10^exp.
 */
struct rounded {
	const struct decimal *d;
	int exp;
	int keep;
	int bump; /* -1: none */
	int one;
};

static void round_decimal(struct rounded *r, const struct decimal *d,
			  long long keep)
{
	int up, i;

	r->d = d;
	r->exp = d->exp;
	r->bump = -1;
	r->one = 0;
	if (keep >= d->ndig) {
		r->keep = d->ndig;
		return;
	}
	/* Below the first digit: less than half a unit, rounds to 0. */
	r->keep = keep < 0 ? 0 : (int)keep;
	if (keep < 0)
		return;
	i = decimal_digit(d, r->keep);
	up = i > 5;
	if (i == 5) {
		/* Above one half if any later digit is not 0, else a tie. */
		for (i = r->keep + 1; i < d->ndig && !up; i++)
			up = decimal_digit(d, i) != 0;
		if (!up && r->keep)
			up = decimal_digit(d, r->keep - 1) & 1;
	}
	if (!up)
		return;
	for (i = r->keep - 1; i >= 0; i--) {
		if (decimal_digit(d, i) != 9) {
			r->bump = i;
			return;
		}
	}
	r->one = 1;
	r->exp++;
}

/* Digit i of the rounded value (0 outside its digits). */
static char rounded_digit(const struct rounded *r, long long i)
{
	int dg;

	if (r->one)
		return i == 0 ? '1' : '0';
	if (i < 0 || i >= r->keep)
		return '0';
	if (r->bump >= 0 && i > r->bump)
		return '0';
	dg = decimal_digit(r->d, (int)i);
	return (char)('0' + dg + (i == r->bump));
}

/* Digits first to first + n - 1 of r. */
static void put_digits(struct out *o, const struct rounded *r, long long first,
		       long long n)
{
	for (long long i = 0; i < n; i++)
		put(o, rounded_digit(r, first + i));
}

/* inf or nan, never zero-padded. */
static void fmt_nonfinite(struct out *o, const struct spec *sp, double x,
			  char sign)
{
	int upper = sp->conv >= 'A' && sp->conv <= 'Z';
	const char *s = __builtin_isnan(x) ? (upper ? "NAN" : "nan")
					   : (upper ? "INF" : "inf");
	size_t len = 3 + !!sign;

	pad_left(o, sp, len);
	if (sign)
		put(o, sign);
	put_str(o, s, 3);
	pad_right(o, sp, len);
}

static void fmt_double(struct out *o, const struct spec *sp, double x)
{
	struct decimal d;
	struct rounded r;
	char style = (char)(sp->conv | 0x20), sign, exp_digits[8];
	long long prec = sp->prec < 0 ? 6 : sp->prec, frac;
	int alt = !!(sp->flags & F_ALT), strip = 0, point, ne = 0;
	size_t len, zeros;

	sign = sign_char(sp->flags, __builtin_signbit(x) != 0);
	if (sign == '-')
		x = -x;
	if (__builtin_isnan(x) || __builtin_isinf(x)) {
		fmt_nonfinite(o, sp, x, sign);
		return;
	}
	decimal_from_double(&d, x);
	if (style == 'g') {
		/* %e if its exponent would be below -4 or from prec up. */
		if (!prec)
			prec = 1;
		round_decimal(&r, &d, prec);
		if (r.exp < -4 || r.exp >= prec) {
			style = 'e';
			prec--;
		} else {
			style = 'f';
			prec -= 1 + r.exp;
		}
		strip = !alt;
	}
	if (style == 'e')
		round_decimal(&r, &d, prec + 1);
	else
		round_decimal(&r, &d, d.exp + 1 + prec);
	/* Fraction digits follow digit first_frac - 1. */
	long long first_frac = style == 'e' ? 1 : r.exp + 1;

	for (frac = prec; strip && frac > 0; frac--)
		if (rounded_digit(&r, first_frac + frac - 1) != '0')
			break;
	point = frac > 0 || alt;
	if (style == 'e') {
		int ex = r.exp < 0 ? -r.exp : r.exp;

		do {
			exp_digits[ne++] = (char)('0' + ex % 10);
			ex /= 10;
		} while (ex || ne < 2);
		len = 1 + 2 + (size_t)ne;
	} else {
		len = r.exp >= 0 ? (size_t)r.exp + 1 : 1;
	}
	len += !!sign + (size_t)point + (size_t)frac;
	zeros = zero_fill(sp, len);
	len += zeros;
	pad_left(o, sp, len);
	if (sign)
		put(o, sign);
	put_n(o, '0', zeros);
	if (style == 'e')
		put(o, rounded_digit(&r, 0));
	else if (r.exp >= 0)
		put_digits(o, &r, 0, r.exp + 1);
	else
		put(o, '0');
	if (point)
		put(o, '.');
	put_digits(o, &r, first_frac, frac);
	if (style == 'e') {
		put(o, sp->conv == 'E' || sp->conv == 'G' ? 'E' : 'e');
		put(o, r.exp < 0 ? '-' : '+');
		while (ne)
			put(o, exp_digits[--ne]);
	}
	pad_right(o, sp, len);
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

static intmax_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* A decimal number in a format, saturated at INT_MAX. */
static int parse_count(const char **fmt)
{
	int n = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
		n = n > (__INT_MAX__ - 9) / 10 ? __INT_MAX__
					       : n * 10 + (**fmt - '0');
	return n;
}

static const char *parse_length(const char *fmt, enum length *len)
{
	*len = LEN_NONE;
	switch (*fmt) {
	case 'h':
		*len = fmt[1] == 'h' ? LEN_HH : LEN_H;
		return fmt + 1 + (fmt[1] == 'h');
	case 'l':
		*len = fmt[1] == 'l' ? LEN_LL : LEN_L;
		return fmt + 1 + (fmt[1] == 'l');
	case 'z':
		*len = LEN_Z;
		return fmt + 1;
	case 'j':
		*len = LEN_J;
		return fmt + 1;
	case 't':
		*len = LEN_T;
		return fmt + 1;
	default:
		return fmt;
	}
}

/* Reads the flags, width and precision after a '%'; fmt is past them. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	for (;; fmt++) {
		if (*fmt == '-')
			sp->flags |= F_MINUS;
		else if (*fmt == '+')
			sp->flags |= F_PLUS;
		else if (*fmt == ' ')
			sp->flags |= F_SPACE;
		else if (*fmt == '0')
			sp->flags |= F_ZERO;
		else if (*fmt == '#')
			sp->flags |= F_ALT;
		else
			break;
	}
	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		/* A negative width is a '-' flag. */
		if (w < 0)
			sp->flags |= F_MINUS;
		sp->width = w < 0 ? 0 - (size_t)w : (size_t)w;
		fmt++;
	} else {
		sp->width = (size_t)parse_count(&fmt);
	}
	sp->prec = -1;
	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			int p = va_arg(*ap, int);

			/* A negative precision is none. */
			sp->prec = p < 0 ? -1 : p;
			fmt++;
		} else {
			sp->prec = parse_count(&fmt);
		}
	}
	return fmt;
}

static void format(struct out *o, const char *fmt, va_list *ap)
{
	for (; *fmt; fmt++) {
		const char *start = fmt;
		struct spec sp;
		enum length len;
		intmax_t v;

		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt = parse_length(parse_spec(fmt + 1, &sp, ap), &len);
		sp.conv = *fmt;
		switch (sp.conv) {
		case 'd':
		case 'i':
			v = arg_signed(ap, len);
			fmt_int(o, &sp, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v,
				sign_char(sp.flags, v < 0));
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			fmt_int(o, &sp, arg_unsigned(ap, len), 0);
			break;
		case 'p': {
			void *p = va_arg(*ap, void *);

			if (!p) {
				fmt_text(o, &sp, "(nil)", 5);
				break;
			}
			/* As glibc: %#lx, with the flags given. */
			sp.flags |= F_ALT;
			fmt_int(o, &sp, (uintptr_t)p, sign_char(sp.flags, 0));
			break;
		}
		case 'c': {
			char c = (char)va_arg(*ap, int);

			fmt_text(o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(*ap, const char *);

			/* As glibc: "(null)", or nothing if it would be cut. */
			if (!s)
				s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			fmt_text(o, &sp, s,
				 sp.prec < 0 ? strlen(s)
					     : strnlen(s, (size_t)sp.prec));
			break;
		}
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
			fmt_double(o, &sp, va_arg(*ap, double));
			break;
		case '%':
			put(o, '%');
			break;
		default:
			/* Not a conversion: written as it stands. */
			if (!*fmt)
				fmt--;
			put_str(o, start, (size_t)(fmt - start + 1));
			break;
		}
	}
}

/* printf's result: the length, or -1 (EOVERFLOW) if beyond an int. */
static int result(const struct out *o)
{
	if (o->total > (size_t)__INT_MAX__) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)o->total;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
	      va_list ap)
{
	struct out o = {buf, size ? size - 1 : 0, 0, 0, 0};
	va_list aq;

	va_copy(aq, ap);
	format(&o, fmt, &aq);
	va_end(aq);
	if (size)
		buf[o.len] = '\0';
	return result(&o);
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	char buf[STREAM_BUF];
	struct out o = {buf, sizeof(buf), 0, 0, 1};
	va_list aq;

	(void)f;
	va_copy(aq, ap);
	format(&o, fmt, &aq);
	va_end(aq);
	out_flush(&o);
	return result(&o);
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *restrict fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	(void)f;
	tn_libc_write(&ch, 1);
	return (unsigned char)c;
}

int putchar(int c)
{
	return fputc(c, stdout);
}

/* s, and a newline if asked, in one write when they fit. */
static void write_line(const char *s, int newline)
{
	char buf[STREAM_BUF];
	struct out o = {buf, sizeof(buf), 0, 0, 1};

	put_str(&o, s, strlen(s));
	if (newline)
		put(&o, '\n');
	out_flush(&o);
}

int fputs(const char *restrict s, FILE *restrict f)
{
	(void)f;
	write_line(s, 0);
	return 0;
}

int puts(const char *s)
{
	write_line(s, 1);
	return 0;
}

int fflush(FILE *f)
{
	(void)f;
	return 0;
}
