// A read-only view of the process environment (envp), passed explicitly instead of getenv().
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace runcwrap {

class Environment {
  public:
    explicit Environment(char** envp) {
        for (char** e = envp; e && *e; ++e) vars_.emplace_back(*e);
    }
    explicit Environment(std::vector<std::string_view> vars) : vars_(std::move(vars)) {}

    std::optional<std::string_view> get(std::string_view name) const {
        for (auto v : vars_)
            if (v.size() > name.size() && v[name.size()] == '=' && v.substr(0, name.size()) == name)
                return v.substr(name.size() + 1);
        return std::nullopt;
    }
    const std::vector<std::string_view>& vars() const { return vars_; }

  private:
    std::vector<std::string_view> vars_;
};

}  // namespace runcwrap
