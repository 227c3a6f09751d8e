// Fuzzes workflow definitions: engine::LoadWorkflowText (JSON, validation, file:line errors) and,
// for a definition that loads, both graph renderers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/workflow/loader.h"

using namespace dixian::engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto def = LoadWorkflowText(text, "fuzz.json");
  if (!def.ok()) return 0;
  (void)RenderGraph(*def.value(), "mermaid");
  (void)RenderGraph(*def.value(), "dot");
  return 0;
}
