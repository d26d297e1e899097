// toml++ with one configuration for every translation unit (the settings must agree, or the
// program breaks the one-definition rule): no exceptions (parse_result instead), no formatters.
#pragma once

#define TOML_EXCEPTIONS 0
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>
