// Parameter arenas <-> safetensors: the tensors of an arena as views to write, and an arena filled
// from a file's tensors of the same names. Below both training (checkpoints) and metrics (the
// classifier's file), which share it.
#pragma once
#include <string>
#include <vector>

#include "core/arena.h"
#include "io/safetensors.h"

namespace gan {

// Appends one view per parameter of the arena (its name and shape, pointing into the arena).
void arena_append_views(const Arena& arena, std::vector<TensorView>& views);
// Copies the tensors named like the arena's parameters from the file into the arena, checking shapes.
// Throws gan::Error naming `source` for a missing tensor or a wrong shape.
void arena_load(Arena& arena, const SafetensorsFile& file, const std::string& source);

}  // namespace gan
