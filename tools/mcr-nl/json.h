/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: compact output (or indented, as ip -j -p
 * indents it), commas placed automatically, strings escaped per RFC 8259.
 * Enough for mcr-nl's fixed schemas; no dependency on a JSON library.
 */
#ifndef MCR_NL_JSON_H
#define MCR_NL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	unsigned int depth;
	/* has_items[d]: the container at depth d already holds a value */
	bool has_items[JSON_MAX_DEPTH + 1];
	bool after_key;		/* next value belongs to a key just written */
	/*
	 * Indented as iproute2's json_writer does for ip -j -p: each member
	 * on a line of its own, four spaces a level; array elements on the
	 * line of the bracket ("[ {" ... "},{" ... "} ]").
	 */
	bool pretty;
};

void json_init(struct json_writer *w, FILE *out);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_u64(struct json_writer *w, uint64_t v);
/* A value written as is: a number the caller formatted. */
void json_raw(struct json_writer *w, const char *literal);

static inline void json_kv_string(struct json_writer *w, const char *key,
				  const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

static inline void json_kv_u64(struct json_writer *w, const char *key,
			       uint64_t v)
{
	json_key(w, key);
	json_u64(w, v);
}

/* Ends a top-level value with a newline, ready for the next one. */
void json_end_line(struct json_writer *w);

/*
 * Length of the well-formed UTF-8 sequence at @s, or 0 if it is not one
 * (bad lead byte, truncated, overlong, surrogate or beyond U+10FFFF).
 * Shared by every writer of text that must be UTF-8.
 */
size_t mcr_utf8_len(const unsigned char *s);

/* Writes @s as a JSON string literal (with quotes) to @out. */
void json_write_escaped(FILE *out, const char *s);

#endif /* MCR_NL_JSON_H */
