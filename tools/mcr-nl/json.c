// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Emits the separator a new value needs at the current position. */
static void json_value_prefix(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		fputc(',', w->out);
	w->has_items[w->depth] = true;
}

/* -p: a new line, indented to the current depth. */
static void json_newline(struct json_writer *w)
{
	unsigned int i;

	fputc('\n', w->out);
	for (i = 0; i < w->depth; i++)
		fputs("    ", w->out);
}

static void json_open(struct json_writer *w, char c)
{
	json_value_prefix(w);
	fputc(c, w->out);
	/* Deeper nesting than our schemas use is a programming error;
	 * keep the output balanced anyway by not tracking commas there. */
	if (w->depth < JSON_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

/* Returns whether the container being closed held a value. */
static bool json_close(struct json_writer *w)
{
	bool had_items = w->has_items[w->depth];

	if (w->depth)
		w->depth--;
	return had_items;
}

void json_begin_object(struct json_writer *w)
{
	json_open(w, '{');
}

void json_end_object(struct json_writer *w)
{
	if (json_close(w) && w->pretty)
		json_newline(w);
	fputc('}', w->out);
}

void json_begin_array(struct json_writer *w)
{
	json_open(w, '[');
	if (w->pretty)
		fputc(' ', w->out);
}

void json_end_array(struct json_writer *w)
{
	if (json_close(w) && w->pretty)
		fputc(' ', w->out);
	fputc(']', w->out);
}

void json_key(struct json_writer *w, const char *key)
{
	json_value_prefix(w);
	if (w->pretty)
		json_newline(w);
	json_write_escaped(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	json_value_prefix(w);
	json_write_escaped(w->out, s);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	json_value_prefix(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_raw(struct json_writer *w, const char *literal)
{
	json_value_prefix(w);
	fputs(literal, w->out);
}

void json_end_line(struct json_writer *w)
{
	fputc('\n', w->out);
	w->depth = 0;	/* pretty stays as set */
	w->has_items[0] = false;
	w->after_key = false;
}

size_t mcr_utf8_len(const unsigned char *s)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void json_write_escaped(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(out, "\\u%04x", *s);
				break;
			}
			len = mcr_utf8_len(s);
			/* C1 controls (U+0080-U+009F): valid JSON, but
			 * not for a terminal that shows it. */
			if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
				fprintf(out, "\\u%04x", s[1]);
				s += 2;
				continue;
			}
			if (!len) {
				/* Rule names come from the kernel as raw
				 * bytes; keep the JSON valid whatever they
				 * hold. */
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s, 1, len, out);
			s += len;
			continue;
		}
		s++;
	}
	fputc('"', out);
}
