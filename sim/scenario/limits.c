/*
 * limits.c - size and flow-nesting limits of a scenario text (limits.h).
 *
 * The depth is counted with a small scanner that knows just enough YAML
 * (https://yaml.org/spec/1.2.2/, 7.3 and 7.4): brackets inside quoted
 * scalars and comments do not count; a quote opens a quoted scalar only where
 * a scalar can start (after '[', '{', ',', ':', '-', or at the start of a
 * line); "''" inside a single-quoted scalar and "\\" escapes in a
 * double-quoted one are honoured. A bracket in a plain scalar or a block
 * scalar is counted as if it opened a collection: that can only make the
 * depth look larger, never hide real nesting.
 */
#include "sim/scenario/limits.h"

int ss_scenario_text_limits(const char *text, size_t len, const char *name, ss_err *err)
{
    if (len > SS_SCENARIO_MAX_BYTES)
        return ss_err_set(err, "%s: %zu bytes: a scenario file is at most %u bytes (1 MiB)", name, len,
                          SS_SCENARIO_MAX_BYTES);
    int depth = 0, line = 1, col = 0;
    char quote = 0;
    char prev = '\n'; /* last significant character outside quotes */
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        col++;
        if (c == '\n') {
            line++;
            col = 0;
        }
        if (quote) {
            if (quote == '"' && c == '\\') {
                i++;
                col++;
            } else if (c == quote) {
                quote = 0;
                prev = 'x';
            }
            continue;
        }
        switch (c) {
        case '#':
            if (prev == '\n' || (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))) {
                while (i + 1 < len && text[i + 1] != '\n')
                    i++;
            } else {
                prev = c;
            }
            continue;
        case '\'':
        case '"':
            if (prev == '\n' || prev == '[' || prev == '{' || prev == ',' || prev == ':' || prev == '-' ||
                prev == '?')
                quote = c;
            else
                prev = c;
            continue;
        case '[':
        case '{':
            if (++depth > SS_SCENARIO_MAX_DEPTH)
                return ss_err_set(err,
                                  "%s:%d:%d: collections nested deeper than %d levels; a scenario needs a "
                                  "few",
                                  name, line, col, SS_SCENARIO_MAX_DEPTH);
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        case ' ':
        case '\t':
        case '\r':
            continue;
        default:
            break;
        }
        prev = c;
    }
    return 0;
}
