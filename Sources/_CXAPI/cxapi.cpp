#include "cxapi.h"

#include <simdjson.h>

#include <cstring>

using namespace simdjson;

struct cxapi_parser {
  dom::parser parser;
};

extern "C" cxapi_parser *cxapi_parser_create(void) { return new cxapi_parser(); }

extern "C" void cxapi_parser_destroy(cxapi_parser *parser) { delete parser; }

namespace {

// Each field: its parent field (-1 for the statement) and its key.
struct path {
  int parent;
  std::string_view key;
};

const path paths[CXAPI_FIELD_COUNT] = {
    {-1, "id"},
    {-1, "actor"},
    {CXAPI_ACTOR, "objectType"},
    {CXAPI_ACTOR, "mbox"},
    {CXAPI_ACTOR, "mbox_sha1sum"},
    {CXAPI_ACTOR, "openid"},
    {CXAPI_ACTOR, "account"},
    {CXAPI_ACTOR_ACCOUNT, "homePage"},
    {CXAPI_ACTOR_ACCOUNT, "name"},
    {CXAPI_ACTOR, "member"},
    {-1, "verb"},
    {CXAPI_VERB, "id"},
    {-1, "object"},
    {CXAPI_STATEMENT_OBJECT, "objectType"},
    {CXAPI_STATEMENT_OBJECT, "id"},
    {CXAPI_STATEMENT_OBJECT, "mbox"},
    {CXAPI_STATEMENT_OBJECT, "mbox_sha1sum"},
    {CXAPI_STATEMENT_OBJECT, "openid"},
    {CXAPI_STATEMENT_OBJECT, "account"},
    {CXAPI_OBJECT_ACCOUNT, "homePage"},
    {CXAPI_OBJECT_ACCOUNT, "name"},
    {CXAPI_STATEMENT_OBJECT, "member"},
    {CXAPI_STATEMENT_OBJECT, "actor"},
    {CXAPI_STATEMENT_OBJECT, "verb"},
    {CXAPI_STATEMENT_OBJECT, "object"},
    {-1, "timestamp"},
    {-1, "stored"},
    {-1, "version"},
    {-1, "result"},
    {CXAPI_RESULT, "duration"},
    {CXAPI_RESULT, "success"},
    {CXAPI_RESULT, "completion"},
    {CXAPI_RESULT, "score"},
    {CXAPI_RESULT_SCORE, "scaled"},
    {CXAPI_RESULT_SCORE, "raw"},
    {CXAPI_RESULT_SCORE, "min"},
    {CXAPI_RESULT_SCORE, "max"},
    {-1, "context"},
    {CXAPI_CONTEXT, "platform"},
};

void describe(dom::element e, cxapi_field &f) {
  switch (e.type()) {
  case dom::element_type::STRING: {
    std::string_view s = e.get_string().value_unsafe();
    f.type = CXAPI_STRING;
    f.string = s.data();
    f.length = s.size();
    break;
  }
  case dom::element_type::INT64:
    f.type = CXAPI_NUMBER;
    f.number = double(e.get_int64().value_unsafe());
    break;
  case dom::element_type::UINT64:
    f.type = CXAPI_NUMBER;
    f.number = double(e.get_uint64().value_unsafe());
    break;
  case dom::element_type::DOUBLE:
    f.type = CXAPI_NUMBER;
    f.number = e.get_double().value_unsafe();
    break;
  case dom::element_type::BOOL:
    f.type = CXAPI_BOOL;
    f.boolean = e.get_bool().value_unsafe() ? 1 : 0;
    break;
  case dom::element_type::NULL_VALUE:
    f.type = CXAPI_NULL;
    break;
  case dom::element_type::ARRAY:
    f.type = CXAPI_ARRAY;
    f.count = uint32_t(dom::array(e.get_array().value_unsafe()).size());
    break;
  case dom::element_type::OBJECT:
    f.type = CXAPI_OBJECT;
    f.count = uint32_t(dom::object(e.get_object().value_unsafe()).size());
    break;
  }
}

} // namespace

namespace {

// Fills the fields whose parent is `parent` from one pass over `object`'s members (the first of
// duplicate keys wins, as with simdjson's lookup), descending into fields that are objects.
// For each parent (index + 1; 0 is the statement), the fields directly under it.
struct children_table {
  int count[CXAPI_FIELD_COUNT + 1] = {};
  int field[CXAPI_FIELD_COUNT + 1][CXAPI_FIELD_COUNT] = {};
  children_table() {
    for (int i = 0; i < CXAPI_FIELD_COUNT; i++) {
      int p = paths[i].parent + 1;
      field[p][count[p]++] = i;
    }
  }
};

const children_table children;

void fill(int parent, dom::object object, cxapi_statement *out) {
  const int *candidates = children.field[parent + 1];
  const int candidateCount = children.count[parent + 1];
  for (dom::key_value_pair member : object) {
    const std::string_view key = member.key;
    if (key.empty()) continue;
    for (int c = 0; c < candidateCount; c++) {
      const int i = candidates[c];
      const std::string_view want = paths[i].key;
      // Length and first byte first: most candidates fail there, without a memcmp call.
      if (key.size() != want.size() || key[0] != want[0] ||
          std::memcmp(key.data(), want.data(), key.size()) != 0)
        continue;
      cxapi_field &f = out->fields[i];
      if (f.type != CXAPI_ABSENT) break;
      describe(member.value, f);
      if (f.type == CXAPI_OBJECT) fill(i, dom::object(member.value.get_object().value_unsafe()), out);
      break;
    }
  }
}

} // namespace

extern "C" void cxapi_parse(cxapi_parser *p, const uint8_t *data, size_t length,
                            size_t capacity, cxapi_statement *out) {
  for (int i = 0; i < CXAPI_FIELD_COUNT; i++) {
    out->fields[i] = cxapi_field{nullptr, 0, 0, 0, CXAPI_ABSENT, 0};
  }
  out->error = nullptr;
  (void)capacity;
  dom::element root;
  auto error = p->parser.parse(data, length, false).get(root);
  if (error) {
    out->status = 1;
    out->error = error_message(error);
    return;
  }
  if (root.type() != dom::element_type::OBJECT) {
    out->status = 2;
    return;
  }
  out->status = 0;
  fill(-1, dom::object(root.get_object().value_unsafe()), out);
}
