/* SPDX-License-Identifier: Apache-2.0
 *
 * The evidence archive's fixed names and vocabulary (SPEC section 2).
 *
 * collect writes these and verify, timeline and reports read them: keeping
 * the names in one header means the writer and the readers cannot drift
 * apart. Nothing here does I/O.
 */
#ifndef CASEFILE_EVIDENCE_H
#define CASEFILE_EVIDENCE_H

#define CF_EVIDENCE_FORMAT 1 /* collection.json "format" */

#define CF_MEMBER_COLLECTION "casefile/collection.json"
#define CF_MEMBER_ITEMS "casefile/items.jsonl"
#define CF_MEMBER_LOG "casefile/log.jsonl"
#define CF_MEMBER_SIGNER "casefile/signer.pub"
#define CF_MEMBER_SUMS "SHA256SUMS"
#define CF_MEMBER_SIG "SHA256SUMS.sig"
#define CF_EVIDENCE_PREFIX "evidence/" /* evidence/<source-id>/<path> */

/* pax keyword carrying a member's content SHA-256 (hex). GNU tar and bsdtar
 * accept SCHILY.xattr.* silently and `tar --xattrs` restores it. */
#define CF_PAX_SHA256 "SCHILY.xattr.user.casefile.sha256"
#define CF_XATTR_SHA256 "user.casefile.sha256"

/* items.jsonl categories. */
#define CF_CAT_ACCESS_LOG "access-log"
#define CF_CAT_AUTH_LOG "auth-log"
#define CF_CAT_SYSTEM_LOG "system-log"
#define CF_CAT_MODEL_DECISION "model-decision"
#define CF_CAT_MODEL_LINEAGE "model-lineage"
#define CF_CAT_MODEL_ARTIFACT "model-artifact"
#define CF_CAT_CONFIG "config"
#define CF_CAT_DATABASE "database"
#define CF_CAT_COMMAND_OUTPUT "command-output"
#define CF_CAT_SYSTEM "system"

#endif
