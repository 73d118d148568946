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

// A key's slot among its parent's fields: length, first and last byte mixed into 6 bits
// (no two xAPI keys under one parent share a slot; the table checks that anyway).
inline unsigned slot_of(std::string_view key) {
  return (unsigned(key.size()) + unsigned(uint8_t(key[0])) +
          unsigned(uint8_t(key[key.size() - 1])) * 3u) &
         63u;
}

// For each parent (index + 1), the field whose key falls in each slot: -1 for none, -2 when
// two of the parent's keys share the slot (then the parent's fields are scanned).
struct slot_table {
  int8_t field[CXAPI_FIELD_COUNT + 1][64];
  slot_table() {
    std::memset(field, -1, sizeof field);
    for (int i = 0; i < CXAPI_FIELD_COUNT; i++) {
      int8_t &s = field[paths[i].parent + 1][slot_of(paths[i].key)];
      s = s == -1 ? int8_t(i) : int8_t(-2);
    }
  }
};

const slot_table slots;

// The field under `parent` named `key`, or -1: one table lookup and one comparison.
inline int field_of(int parent, std::string_view key) {
  const int s = slots.field[parent + 1][slot_of(key)];
  if (s >= 0) return paths[s].key == key ? s : -1;
  if (s == -1) return -1;
  const int *candidates = children.field[parent + 1];
  for (int c = 0; c < children.count[parent + 1]; c++) {
    if (paths[candidates[c]].key == key) return candidates[c];
  }
  return -1;
}

void fill(int parent, dom::object object, cxapi_statement *out) {
  for (dom::key_value_pair member : object) {
    const std::string_view key = member.key;
    if (key.empty()) continue;
    const int i = field_of(parent, key);
    if (i < 0) continue;
    cxapi_field &f = out->fields[i];
    if (f.type != CXAPI_ABSENT) continue;  // the first of duplicate keys wins
    describe(member.value, f);
    if (f.type == CXAPI_OBJECT) fill(i, dom::object(member.value.get_object().value_unsafe()), out);
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
