#pragma once

#include <QtGlobal>
#include <functional>

namespace outhook {

// How long work reports how far it got: `done` of `total` units so far. Returning false asks the work
// to stop at its next safe point (between batches); it never stops halfway through one.
using ProgressCallback = std::function<bool(qint64 done, qint64 total)>;

} // namespace outhook
