#include "sigil/copy/pipe.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sigil::copy {

namespace {

class Pipe {
public:
  explicit Pipe(Producer produce)
  {
    m_thread = std::thread([this, produce = std::move(produce)] {
      // An exception must not escape this thread (std::terminate): it is the stream's error.
      Result<void> done;
      try {
        done = produce([this](util::ByteView chunk) { return push(chunk); });
      } catch (const std::exception& e) {
        done = fail(ErrorCode::internal, std::string{"reading a blob: "} + e.what());
      } catch (...) {
        done = fail(ErrorCode::internal, "reading a blob: an unknown exception");
      }
      const std::lock_guard lock(m_mutex);
      m_finished = true;
      if (!done) {
        m_error = done.error();
      }
      m_cv.notify_all();
    });
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  ~Pipe()
  {
    {
      const std::lock_guard lock(m_mutex);
      m_cancelled = true;
      m_cv.notify_all();
    }
    m_thread.join();
  }

  Result<std::size_t> pull(std::span<std::uint8_t> buffer)
  {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_chunks.empty() || m_finished; });
    if (m_chunks.empty()) {
      if (m_error) {
        return fail(*m_error);
      }
      return std::size_t{0};
    }
    std::size_t n = 0;
    while (n < buffer.size() && !m_chunks.empty()) {
      std::string& front = m_chunks.front();
      const std::size_t take = std::min(buffer.size() - n, front.size() - m_offset);
      std::memcpy(buffer.data() + n, front.data() + m_offset, take);
      n += take;
      m_offset += take;
      if (m_offset == front.size()) {
        m_buffered -= front.size();
        m_chunks.pop_front();
        m_offset = 0;
      }
    }
    m_cv.notify_all();
    return n;
  }

private:
  Result<void> push(util::ByteView chunk)
  {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_buffered < k_pipe_bytes || m_cancelled; });
    if (m_cancelled) {
      return fail(ErrorCode::other, "the upload that read this blob stopped");
    }
    m_chunks.emplace_back(util::as_chars(chunk));
    m_buffered += chunk.size();
    m_cv.notify_all();
    return {};
  }

  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::string> m_chunks;
  std::size_t m_offset = 0;   // into m_chunks.front()
  std::size_t m_buffered = 0; // bytes in m_chunks
  bool m_finished = false;
  bool m_cancelled = false;
  std::optional<Error> m_error;
  std::thread m_thread; // last: started once everything above exists
};

} // namespace

registry::BlobSource pipe_source(Producer produce)
{
  auto pipe = std::make_shared<Pipe>(std::move(produce));
  return [pipe](std::span<std::uint8_t> buffer) { return pipe->pull(buffer); };
}

} // namespace sigil::copy
