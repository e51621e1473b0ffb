/* SPDX-License-Identifier: Apache-2.0
 *
 * AWS CloudTrail: log files ({"Records":[...]}), JSON lines of records, and
 * the `aws cloudtrail lookup-events` form whose CloudTrailEvent member holds
 * the record as a JSON string.
 *
 * actor = userIdentity.userName (else arn, else principalId, else the
 * service in invokedBy), role = the identity type, resource = eventSource;
 * a record with errorCode or errorMessage, or a console login whose
 * response says Failure, failed. The action is the eventName of API calls,
 * console sign-ins and data events; the other kinds of record get their
 * own prefix so that they never pass for an API call of the same name:
 * "insight:NAME" for Insights events (eventType AwsCloudTrailInsight,
 * eventCategory Insight; NAME, the source and the state come from
 * insightDetails; no outcome), "service:NAME" for AwsServiceEvent records
 * and "network:NAME" for network activity events. eventType and
 * eventCategory are kept as attributes. src_ip is sourceIPAddress only
 * when it is an IPv4 or IPv6 address; a service name there
 * ("ec2.amazonaws.com", "AWS Internal") goes to "source_service".
 */
#include <arpa/inet.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "tl.h"

static int record(struct tl_run *r, const cJSON *o, const cJSON *outer,
		  uint64_t ln, uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded", .source = "cloudtrail"};
	const cJSON *uid = cJSON_GetObjectItemCaseSensitive(o, "userIdentity");
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "responseElements");
	const char *t = cf_json_str(o, "eventTime", NULL), *who, *cl, *ip;
	const char *type = cf_json_str(o, "eventType", "");
	const char *cat = cf_json_str(o, "eventCategory", "");
	int tzoff;

	if (!t && outer)
		t = cf_json_str(outer, "EventTime", NULL);
	if (!t)
		return tl_reject(r, ln, off, "CloudTrail record without eventTime");
	if (cf_time_parse(t, -1, &ev.ts_us, &tzoff))
		return tl_reject(r, ln, off, "CloudTrail: bad or out-of-range eventTime");
	if (!(who = cf_json_str(uid, "userName", NULL)) &&
	    !(who = cf_json_str(uid, "arn", NULL)) &&
	    !(who = cf_json_str(uid, "principalId", NULL)) && outer)
		who = cf_json_str(outer, "Username", NULL);
	if (!who)
		who = cf_json_str(uid, "invokedBy", NULL);
	ev.actor = tl_str(r, who, (size_t)-1);
	ev.actor_role = tl_str(r, cf_json_str(uid, "type", NULL), (size_t)-1);
	ev.action = tl_str(r, cf_json_str(o, "eventName", NULL), (size_t)-1);
	ev.resource = tl_str(r, cf_json_str(o, "eventSource", NULL), (size_t)-1);
	if ((ip = cf_json_str(o, "sourceIPAddress", NULL))) {
		unsigned char a[16];
		if (inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1)
			ev.src_ip = tl_str(r, ip, (size_t)-1);
		else
			tl_attr_str(r, "source_service", ip, (size_t)-1);
	}
	cl = cf_json_str(resp, "ConsoleLogin", NULL);
	ev.outcome = cJSON_HasObjectItem(o, "errorCode") ||
			     cJSON_HasObjectItem(o, "errorMessage") ||
			     (cl && strcmp(cl, "Success")) ?
			     "failure" : "success";
	if (*type)
		tl_attr_str(r, "event_type", type, (size_t)-1);
	if (*cat)
		tl_attr_str(r, "event_category", cat, (size_t)-1);
	if (!strcmp(type, "AwsCloudTrailInsight") || !strcmp(cat, "Insight")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "insightDetails");
		const char *name = cf_json_str(d, "eventName", NULL);
		const char *src = cf_json_str(d, "eventSource", NULL);
		ev.action = tl_strf(r, "insight:%s", name ? name : ev.action ? ev.action : "?");
		if (src)
			ev.resource = tl_str(r, src, (size_t)-1);
		ev.outcome = NULL; /* unusual activity seen, not a request */
		tl_attr_str(r, "insight_state", cf_json_str(d, "state", NULL), (size_t)-1);
		tl_attr_str(r, "insight_type", cf_json_str(d, "insightType", NULL), (size_t)-1);
		tl_attr_str(r, "shared_event_id", cf_json_str(o, "sharedEventID", NULL),
			    (size_t)-1);
	} else if (!strcmp(type, "AwsServiceEvent")) {
		ev.action = tl_strf(r, "service:%s", ev.action ? ev.action : "?");
	} else if (!strcmp(cat, "NetworkActivity")) {
		ev.action = tl_strf(r, "network:%s", ev.action ? ev.action : "?");
	}
	tl_attr_str(r, "event_id", cf_json_str(o, "eventID", NULL), (size_t)-1);
	tl_attr_str(r, "region", cf_json_str(o, "awsRegion", NULL), (size_t)-1);
	tl_attr_str(r, "user_agent", cf_json_str(o, "userAgent", NULL), (size_t)-1);
	tl_attr_str(r, "error_code", cf_json_str(o, "errorCode", NULL), (size_t)-1);
	tl_attr_str(r, "error_message", cf_json_str(o, "errorMessage", NULL), (size_t)-1);
	tl_attr_str(r, "access_key_id", cf_json_str(uid, "accessKeyId", NULL), (size_t)-1);
	tl_attr_str(r, "account", cf_json_str(uid, "accountId", NULL), (size_t)-1);
	/* the S3 bucket of a bucket or object request (Sigma's
	 * requestParameters.bucketName) */
	tl_attr_str(r, "bucket",
		    cf_json_str(cJSON_GetObjectItemCaseSensitive(o, "requestParameters"),
				"bucketName", NULL), (size_t)-1);
	tl_attr_tz(r, tzoff);
	ev.message = tl_strf(r, "%s %s by %s", ev.action ? ev.action : "?",
			     ev.resource ? ev.resource : "?", ev.actor ? ev.actor : "?");
	return tl_emit(r, &ev, ln, off);
}

int tl_cloudtrail_object(struct tl_run *r, const cJSON *o, uint64_t ln,
			 uint64_t off)
{
	const cJSON *recs = cJSON_GetObjectItemCaseSensitive(o, "Records"), *e;
	const char *inner = cf_json_str(o, "CloudTrailEvent", NULL);
	int rc = CF_OK;

	if (recs) {
		if (!cJSON_IsArray(recs))
			return tl_reject(r, ln, off, "CloudTrail Records is not an array");
		cJSON_ArrayForEach(e, recs) {
			rc = cJSON_IsObject(e) ? record(r, e, NULL, ln, off) :
					 tl_reject(r, ln, off, "CloudTrail record is not an object");
			if (rc)
				break;
		}
		return rc;
	}
	if (inner) {
		struct cf_ctx jctx;
		cJSON *in = NULL;
		cf_ctx_init(&jctx);
		if (cf_json_parse(&jctx, inner, strlen(inner), &in) != CF_OK ||
		    !cJSON_IsObject(in)) {
			cJSON_Delete(in);
			return tl_reject(r, ln, off, "CloudTrailEvent is not a JSON object");
		}
		rc = record(r, in, o, ln, off);
		cJSON_Delete(in);
		return rc;
	}
	return record(r, o, NULL, ln, off);
}
