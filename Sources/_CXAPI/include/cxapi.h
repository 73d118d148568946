// The C interface of the simdjson-backed xAPI statement parser (implementation detail of the
// Activity module). One call parses one statement fully (simdjson's DOM parser validates the
// whole document: structure, strings, UTF-8, numbers) and reports the fields that xAPI
// validation and the activity table need, with their JSON types.
#ifndef CXAPI_H
#define CXAPI_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// Padding simdjson needs readable after a document's last byte.
#define CXAPI_PADDING 64

/// JSON type of an extracted field.
enum cxapi_type {
  CXAPI_ABSENT = 0,
  CXAPI_STRING = 1,
  CXAPI_NUMBER = 2,
  CXAPI_BOOL = 3,
  CXAPI_OBJECT = 4,
  CXAPI_ARRAY = 5,
  CXAPI_NULL = 6,
};

/// The fields extracted, by index into cxapi_statement.fields.
enum cxapi_field_id {
  CXAPI_ID = 0,
  CXAPI_ACTOR,
  CXAPI_ACTOR_OBJECTTYPE,
  CXAPI_ACTOR_MBOX,
  CXAPI_ACTOR_MBOX_SHA1SUM,
  CXAPI_ACTOR_OPENID,
  CXAPI_ACTOR_ACCOUNT,
  CXAPI_ACTOR_ACCOUNT_HOMEPAGE,
  CXAPI_ACTOR_ACCOUNT_NAME,
  CXAPI_ACTOR_MEMBER,
  CXAPI_VERB,
  CXAPI_VERB_ID,
  CXAPI_STATEMENT_OBJECT,
  CXAPI_OBJECT_OBJECTTYPE,
  CXAPI_OBJECT_ID,
  CXAPI_OBJECT_MBOX,
  CXAPI_OBJECT_MBOX_SHA1SUM,
  CXAPI_OBJECT_OPENID,
  CXAPI_OBJECT_ACCOUNT,
  CXAPI_OBJECT_ACCOUNT_HOMEPAGE,
  CXAPI_OBJECT_ACCOUNT_NAME,
  CXAPI_OBJECT_MEMBER,
  CXAPI_OBJECT_ACTOR,
  CXAPI_OBJECT_VERB,
  CXAPI_OBJECT_OBJECT,
  CXAPI_TIMESTAMP,
  CXAPI_STORED,
  CXAPI_VERSION,
  CXAPI_RESULT,
  CXAPI_RESULT_DURATION,
  CXAPI_RESULT_SUCCESS,
  CXAPI_RESULT_COMPLETION,
  CXAPI_RESULT_SCORE,
  CXAPI_SCORE_SCALED,
  CXAPI_SCORE_RAW,
  CXAPI_SCORE_MIN,
  CXAPI_SCORE_MAX,
  CXAPI_CONTEXT,
  CXAPI_CONTEXT_PLATFORM,
  CXAPI_FIELD_COUNT
};

/// One extracted field. Strings point into the parser's memory and stay valid until the
/// parser's next call; `count` is the number of elements of an array or members of an object.
typedef struct {
  const char *string;
  size_t length;
  double number;
  uint32_t count;
  uint8_t type;
  uint8_t boolean;
} cxapi_field;

/// The result of parsing one statement.
typedef struct {
  /// 0: parsed; 1: not valid JSON (see `error`); 2: valid JSON but not an object.
  int status;
  /// simdjson's message when status is 1.
  const char *error;
  cxapi_field fields[CXAPI_FIELD_COUNT];
} cxapi_statement;

/// An opaque reusable parser (one per thread).
typedef struct cxapi_parser cxapi_parser;

cxapi_parser *cxapi_parser_create(void);
void cxapi_parser_destroy(cxapi_parser *parser);

/// Parses the statement in bytes [data, data + length); `capacity` bytes must be readable
/// from `data`, and capacity >= length + CXAPI_PADDING.
void cxapi_parse(cxapi_parser *parser, const uint8_t *data, size_t length, size_t capacity,
                 cxapi_statement *out);

#ifdef __cplusplus
}
#endif
#endif
