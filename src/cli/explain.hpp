// Renders a Plan for people (text) and for tools (JSON).
#pragma once

#include <string>

#include "common/result.hpp"
#include "wrapper/plan.hpp"
#include "wrapper/runc_args.hpp"

namespace runcwrap {

std::string explain_text(const RuncCall& call, const Result<Plan>& plan);
std::string explain_json(const RuncCall& call, const Result<Plan>& plan);

}  // namespace runcwrap
