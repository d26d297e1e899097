#include "cli/line_diff.hpp"

#include <algorithm>
#include <vector>

namespace runcwrap {
namespace {

struct DiffLine {
    std::string_view text;  // without its "\n"
    bool has_newline = true;
    bool operator==(const DiffLine& other) const {
        return text == other.text && has_newline == other.has_newline;
    }
};

std::vector<DiffLine> lines_of(std::string_view text) {
    std::vector<DiffLine> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            lines.push_back({text.substr(pos), false});
            break;
        }
        lines.push_back({text.substr(pos, nl - pos), true});
        pos = nl + 1;
    }
    return lines;
}

enum class Op { keep, remove, add };
struct Step {
    Op op;
    std::size_t a;  // index in before (keep, remove)
    std::size_t b;  // index in after (keep, add)
};

// diff -u's order: within a change, the removed lines come first.
// The longest common subsequence of the middle that differs (after the common prefix and
// suffix): config edits touch a few lines, so the table stays small. A middle too large for it
// is shown as one replacement.
std::vector<Step> edit_script(const std::vector<DiffLine>& a, const std::vector<DiffLine>& b) {
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    const std::size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
    std::vector<Step> steps;
    for (std::size_t i = 0; i < prefix; ++i) steps.push_back({Op::keep, i, i});
    constexpr std::size_t kMaxCells = 16u << 20;
    if (n * m <= kMaxCells) {
        std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
        for (std::size_t i = n; i-- > 0;)
            for (std::size_t j = m; j-- > 0;)
                lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1
                                                           : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        std::size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
                steps.push_back({Op::keep, prefix + i++, prefix + j++});
            } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
                steps.push_back({Op::add, prefix + i, prefix + j++});
            } else {
                steps.push_back({Op::remove, prefix + i++, prefix + j});
            }
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) steps.push_back({Op::remove, prefix + i, prefix});
        for (std::size_t j = 0; j < m; ++j) steps.push_back({Op::add, prefix + n, prefix + j});
    }
    for (std::size_t k = 0; k < suffix; ++k)
        steps.push_back({Op::keep, a.size() - suffix + k, b.size() - suffix + k});
    return steps;
}

std::string range(std::size_t start, std::size_t count) {
    // diff -u: a hunk's start is 1-based; an empty range names the line before it.
    const std::size_t first = count == 0 ? start : start + 1;
    return count == 1 ? std::to_string(first) : std::to_string(first) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, std::string_view from,
                         std::string_view to, std::size_t context) {
    if (before == after) return {};
    const std::vector<DiffLine> a = lines_of(before), b = lines_of(after);
    const std::vector<Step> steps = edit_script(a, b);
    std::string out = "--- " + std::string(from) + "\n+++ " + std::string(to) + "\n";
    std::size_t s = 0;
    while (s < steps.size()) {
        while (s < steps.size() && steps[s].op == Op::keep) ++s;
        if (s == steps.size()) break;
        // A hunk: from `context` lines before this change to `context` after the last change
        // that lies within 2 * context of the previous one.
        const std::size_t begin = s >= context ? s - context : 0;
        std::size_t end = s;
        for (std::size_t k = s; k < steps.size(); ++k) {
            if (steps[k].op != Op::keep) {
                end = k + 1;
            } else if (k - end + 1 > 2 * context) {
                break;
            }
        }
        end = std::min(steps.size(), end + context);
        std::size_t a_start = steps[begin].a, b_start = steps[begin].b, a_count = 0, b_count = 0;
        std::string body;
        for (std::size_t k = begin; k < end; ++k) {
            const Step& st = steps[k];
            const DiffLine& line = st.op == Op::add ? b[st.b] : a[st.a];
            body += st.op == Op::keep ? ' ' : st.op == Op::add ? '+' : '-';
            body += line.text;
            body += '\n';
            if (!line.has_newline) body += "\\ No newline at end of file\n";
            a_count += st.op != Op::add;
            b_count += st.op != Op::remove;
        }
        out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n" + body;
        s = end;
    }
    return out;
}

}  // namespace runcwrap
