// sigil::util::JoiningThread: a thread joined by wait() or when the handle is destroyed
// (std::jthread without stop tokens; not std::jthread itself: the fuzz build's libc++ 16 lacks
// it). Move-only; an empty handle (no thread could start, or none was wanted) waits for nothing.
#pragma once

#include <thread>
#include <utility>

namespace sigil::util {

class JoiningThread {
public:
  JoiningThread() = default;
  explicit JoiningThread(std::thread thread) : m_thread(std::move(thread)) {}
  JoiningThread(JoiningThread&&) noexcept = default;
  JoiningThread& operator=(JoiningThread&&) = delete;
  JoiningThread(const JoiningThread&) = delete;
  JoiningThread& operator=(const JoiningThread&) = delete;
  ~JoiningThread() { wait(); }
  void wait()
  {
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

private:
  std::thread m_thread;
};

} // namespace sigil::util
