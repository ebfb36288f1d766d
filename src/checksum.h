/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Checksums: one table of algorithms, backed by libxxhash and OpenSSL's
 * EVP interface.  This is the only place that includes xxhash.h or
 * openssl/evp.h.
 */
#ifndef ACP_CHECKSUM_H
#define ACP_CHECKSUM_H

#include <stddef.h>

#define CHECKSUM_MAX_DIGEST	64	/* bytes: sha512 and blake2b */
#define CHECKSUM_MAX_HEX	(2 * CHECKSUM_MAX_DIGEST + 1)

enum checksum_kind {
	CHECKSUM_XXH128,
	CHECKSUM_XXH3,
	CHECKSUM_XXH64,
	CHECKSUM_SHA256,
	CHECKSUM_SHA512,
	CHECKSUM_SHA1,
	CHECKSUM_MD5,
	CHECKSUM_BLAKE2B,
};

struct checksum_algo {
	enum checksum_kind	 kind;
	const char		*name;	/* as --checksum takes it */
	const char		*tag;	/* in BSD lines: "SHA256 (f) = ..." */
	const char		*tool;	/* the tool that checks its lines */
	size_t			 size;	/* digest bytes */
	int			 tagged; /* the tool writes only BSD lines */
};

/* One running hash; caller storage, freed by checksum_final/_free. */
struct checksum {
	const struct checksum_algo	*algo;
	void				*state;
};

/* The algorithm called name, or NULL. */
const struct checksum_algo	*checksum_find(const char *name);

/* The algorithm whose BSD tag is tag ("SHA256"), or NULL. */
const struct checksum_algo	*checksum_find_tag(const char *tag);

/* The whole table, for help text and completion: *n entries. */
const struct checksum_algo	*checksum_algos(size_t *n);

/*
 * Make algo usable (loads libcrypto for the hashes that are its): 0, or
 * -1 after a message saying why not.
 */
int	checksum_ready(const struct checksum_algo *);

/*
 * 1 where algo hashes faster than the kernel copies the data it hashes
 * into or out of the page cache (xxHash's: several GB/s a core), 0 where
 * slower (libcrypto's).
 */
int	checksum_fast(const struct checksum_algo *);

/* Start a hash; 0, -ENOMEM, or -ELIBACC (checksum_ready() said why). */
int	checksum_init(struct checksum *, const struct checksum_algo *);

/* Feed len bytes, in order. */
void	checksum_update(struct checksum *, const void *, size_t len);

/* Finish: the digest as lower-case hex into hex (CHECKSUM_MAX_HEX). */
void	checksum_final(struct checksum *, char *hex);

/* Drop a hash that will not be finished; safe after _final. */
void	checksum_free(struct checksum *);

#endif
