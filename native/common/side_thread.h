// Two halves of one job at once, without a thread per job.
#pragma once

#include <functional>

namespace rfb {

// Runs `mine` on the calling thread while `theirs` runs on a long-lived side
// thread, and returns when both have ended; an exception from either is
// rethrown (`theirs` first).
//
// Why not std::async: it starts a new thread every call, tens of microseconds
// and a cold stack per frame. The side thread sleeps between tasks instead. It
// is one thread for the whole process, so when it is still busy with another
// job's half, the caller takes `theirs` back and runs it itself: a job is never
// slower than running both halves on one thread.
void runSideBySide(const std::function<void()>& mine, const std::function<void()>& theirs);

}  // namespace rfb
