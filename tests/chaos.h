/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Included (-include) into src/acp.c when it is built for tests/acp-chaos,
 * whose main is renamed acp_main by -Dmain=acp_main.
 */
#ifndef ACP_CHAOS_H
#define ACP_CHAOS_H

int	acp_main(int, char **);

#endif
