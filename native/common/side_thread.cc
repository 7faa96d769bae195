#include "side_thread.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace rfb {
namespace {

struct Task {
  const std::function<void()>* work;
  std::exception_ptr error;
  bool done = false;
};

void runTask(Task& task) {
  try {
    (*task.work)();
  } catch (...) {
    task.error = std::current_exception();
  }
}

class SideThread {
 public:
  // Never destroyed: the detached thread may still be waiting on these members
  // while the process exits.
  static SideThread& instance() {
    static SideThread* side = new SideThread;
    return *side;
  }

  bool running() const { return running_; }

  void post(Task* task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(task);
    }
    wake_.notify_one();
  }

  // Takes `task` back if the side thread has not started it: true means the
  // caller now owns it; false means it has been run (or is running) and this
  // waited for the end.
  bool withdrawOrWait(Task* task) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == task) {
        queue_.erase(it);
        return true;
      }
    }
    finished_.wait(lock, [task] { return task->done; });
    return false;
  }

 private:
  SideThread() {
    try {
      std::thread([this] { loop(); }).detach();
      running_ = true;
    } catch (const std::system_error&) {
      running_ = false;  // no thread to be had: callers run both halves themselves
    }
  }

  void loop() {
    for (;;) {
      Task* task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        task = queue_.front();
        queue_.pop_front();
      }
      runTask(*task);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        task->done = true;
      }
      finished_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::deque<Task*> queue_;
  bool running_ = false;
};

}  // namespace

void runSideBySide(const std::function<void()>& mine, const std::function<void()>& theirs) {
  SideThread& side = SideThread::instance();
  Task task{&theirs};
  if (side.running()) side.post(&task);
  std::exception_ptr myError;
  try {
    mine();
  } catch (...) {
    myError = std::current_exception();
  }
  if (!side.running() || side.withdrawOrWait(&task)) runTask(task);
  if (task.error) std::rethrow_exception(task.error);
  if (myError) std::rethrow_exception(myError);
}

}  // namespace rfb
