// What install prints: a heading per step ("[2/7] ..."), one indented line per action (in a dry
// run, what would be done), warnings counted for the closing line, and the one error that
// stops it. Lines are flushed as they are written, so that they interleave with the output of
// the programs install runs exactly as they happened.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace runcwrap::install {

// Stops the install: printed as "<program>: error: MESSAGE", exit status 1. Whatever install
// had changed by then is in the manifest already (it is written after every change).
class InstallFailure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& message) { throw InstallFailure(message); }

class Reporter {
  public:
    explicit Reporter(bool dry_run) : dry_run_(dry_run) {}

    void set_step_count(int n) { steps_ = n; }
    void say(std::string_view line) { out(std::string(line) + "\n"); }
    void step(std::string_view title) {
        ++step_;
        out("\n[" + std::to_string(step_) + "/" + std::to_string(steps_) + "] " +
            std::string(title) + "\n");
    }
    // One line per action; in a dry run, what would be done.
    void act(std::string_view what) {
        out(std::string(dry_run_ ? "      [dry-run] would " : "      ") + std::string(what) + "\n");
    }
    void info(std::string_view line) { out("      " + std::string(line) + "\n"); }
    void warn(std::string_view line) {
        ++warnings_;
        out("      WARNING: " + std::string(line) + "\n");
    }
    // Every line of `text` with `indent` before it.
    void indented(std::string_view text, std::string_view indent) {
        std::string lines;
        while (true) {
            auto nl = text.find('\n');
            lines += std::string(indent) + std::string(text.substr(0, nl)) + "\n";
            if (nl == std::string_view::npos) break;
            text.remove_prefix(nl + 1);
        }
        out(lines);
    }
    void to_stderr(std::string_view line) { err(std::string(line) + "\n"); }
    // TEXT in a dry run, "" otherwise.
    std::string if_dry(std::string_view text) const { return dry_run_ ? std::string(text) : ""; }
    bool dry_run() const { return dry_run_; }
    int warnings() const { return warnings_; }

  private:
    static void out(const std::string& text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    }
    static void err(const std::string& text) {
        std::fflush(stdout);
        std::fwrite(text.data(), 1, text.size(), stderr);
        std::fflush(stderr);
    }
    bool dry_run_;
    int step_ = 0;
    int steps_ = 0;
    int warnings_ = 0;
};

}  // namespace runcwrap::install
