#include "sigil/copy/layout_tar.hpp"

#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <vector>

namespace sigil::copy {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_block = 512;
constexpr std::size_t k_chunk = std::size_t{256} << 10;
constexpr std::uint64_t k_max_ustar_size = 077777777777ULL; // 11 octal digits
constexpr std::uint64_t k_max_pax_size = std::uint64_t{1} << 20;
constexpr std::size_t k_max_entries = 1'000'000;
using Block = std::array<char, k_block>;

void put_octal(char* field, std::size_t width, std::uint64_t value)
{
  // width - 1 zero-padded octal digits, then NUL.
  const auto text = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, text.data(), width - 1);
  field[width - 1] = '\0';
}

unsigned checksum(const Block& b)
{
  unsigned sum = 0;
  for (std::size_t i = 0; i < k_block; ++i) {
    sum += (i >= 148 && i < 156) ? unsigned{' '} : static_cast<unsigned char>(b[i]);
  }
  return sum;
}

Block header(std::string_view name, char type, std::uint64_t size, unsigned mode)
{
  Block b{};
  std::memcpy(b.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  put_octal(&b[100], 8, mode);
  put_octal(&b[108], 8, 0);
  put_octal(&b[116], 8, 0);
  put_octal(&b[124], 12, std::min(size, k_max_ustar_size));
  put_octal(&b[136], 12, 0);
  b[156] = type;
  std::memcpy(&b[257], "ustar", 6);
  std::memcpy(&b[263], "00", 2);
  const auto sum = fmt::format("{:06o}", checksum(b));
  std::memcpy(&b[148], sum.data(), 6);
  b[154] = '\0';
  b[155] = ' ';
  return b;
}

// "<len> key=value\n", where <len> counts the whole record, itself included.
std::string pax_record(std::string_view key, std::string_view value)
{
  const std::size_t body = key.size() + value.size() + 3;
  std::size_t len = body + 1;
  while (std::to_string(len).size() + body != len) {
    len = std::to_string(len).size() + body;
  }
  return fmt::format("{} {}={}\n", len, key, value);
}

void pad(std::ostream& out, std::uint64_t size)
{
  static const Block zero{};
  out.write(zero.data(), static_cast<std::streamsize>((k_block - size % k_block) % k_block));
}

void write_header(std::ostream& out, const std::string& name, char type, std::uint64_t size, unsigned mode)
{
  if (name.size() > 100 || size > k_max_ustar_size) {
    std::string records = pax_record("path", name);
    if (size > k_max_ustar_size) {
      records += pax_record("size", std::to_string(size));
    }
    out.write(header("PaxHeader", 'x', records.size(), 0644).data(), k_block);
    out.write(records.data(), static_cast<std::streamsize>(records.size()));
    pad(out, records.size());
  }
  out.write(header(name, type, size, mode).data(), k_block);
}

Result<void> write_file(std::ostream& out, const fs::path& path, const std::string& name)
{
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) {
    return fail(ErrorCode::other, fmt::format("cannot read {}", path.string()));
  }
  write_header(out, name, '0', size, 0644);
  std::vector<char> buffer(k_chunk);
  std::uint64_t left = size;
  while (left > 0 && in) {
    in.read(buffer.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, buffer.size())));
    out.write(buffer.data(), in.gcount());
    left -= static_cast<std::uint64_t>(in.gcount());
  }
  if (left != 0) {
    return fail(ErrorCode::other, fmt::format("{} changed size while being archived", path.string()));
  }
  pad(out, size);
  return {};
}

// The layout's entries in archive order: oci-layout, index.json, then blobs/ sorted.
Result<std::vector<std::pair<std::string, bool>>> layout_entries(const fs::path& dir)
{
  std::vector<std::pair<std::string, bool>> entries{{"oci-layout", false}, {"index.json", false}, {"blobs/", true}};
  std::vector<std::pair<std::string, bool>> blobs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir / "blobs", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const bool is_dir = it->is_directory(ec);
    if (!is_dir && !it->is_regular_file(ec)) {
      return fail(ErrorCode::other, fmt::format("{} is neither a file nor a directory", it->path().string()));
    }
    const auto rel = fs::relative(it->path(), dir).generic_string();
    blobs.emplace_back(is_dir ? rel + "/" : rel, is_dir);
  }
  if (ec) {
    return fail(ErrorCode::other, fmt::format("cannot list {}: {}", (dir / "blobs").string(), ec.message()));
  }
  std::sort(blobs.begin(), blobs.end());
  entries.insert(entries.end(), blobs.begin(), blobs.end());
  return entries;
}

// ---- reading ----

struct Entry {
  bool end = false; // the end-of-archive marker, no entry
  std::string name;
  char type = '0';
  std::uint64_t size = 0;
};

std::string field(const Block& b, std::size_t at, std::size_t width)
{
  const char* p = &b[at];
  return std::string(p, strnlen(p, width));
}

std::optional<std::uint64_t> octal(const Block& b, std::size_t at, std::size_t width)
{
  std::uint64_t v = 0;
  bool digits = false;
  for (std::size_t i = at; i < at + width && b[i] != '\0' && b[i] != ' '; ++i) {
    if (b[i] < '0' || b[i] > '7' || v > (UINT64_MAX >> 3)) {
      return std::nullopt;
    }
    v = v * 8 + static_cast<std::uint64_t>(b[i] - '0');
    digits = true;
  }
  return digits ? std::optional(v) : std::nullopt;
}

class TarReader {
public:
  TarReader(std::istream& in, const fs::path& file, const fs::path& dir) : m_in(in), m_file(file), m_dir(dir) {}
  Result<void> run();

private:
  Result<Entry> next();
  Result<void> read_pax(std::uint64_t size, bool global);
  Result<void> extract(const Entry& e);
  Result<std::string> checked_name(const Entry& e);
  Result<void> skip(std::uint64_t size);
  std::unexpected<Error> refuse(std::string_view name, std::string_view why) const
  {
    return fail(ErrorCode::bad_input,
                fmt::format("{}: entry '{}' {}: refused; a layout archive holds only the files oci-layout, "
                            "index.json and blobs/ (as sigil save --tar writes)",
                            m_file.string(), name, why));
  }
  std::unexpected<Error> corrupt(std::string_view why) const
  {
    return fail(ErrorCode::bad_input, fmt::format("{}: {}; not a complete tar archive", m_file.string(), why));
  }

  std::istream& m_in;
  fs::path m_file;
  fs::path m_dir;
  std::optional<std::string> m_pax_path;
  std::optional<std::uint64_t> m_pax_size;
  std::set<std::string> m_seen;
};

Result<void> TarReader::run()
{
  for (std::size_t n = 0; n < k_max_entries; ++n) {
    SIGIL_TRY_ASSIGN(const Entry entry, next());
    if (entry.end) {
      if (!m_seen.contains("oci-layout") || !m_seen.contains("index.json")) {
        return fail(ErrorCode::bad_input, fmt::format("{} holds no oci-layout or no index.json: not an OCI image "
                                                      "layout archive (write one with sigil save --tar)",
                                                      m_file.string()));
      }
      return {};
    }
    SIGIL_TRY(extract(entry));
  }
  return corrupt(fmt::format("more than {} entries", k_max_entries));
}

// The next file or directory entry (pax headers applied), or nothing at the end.
Result<Entry> TarReader::next()
{
  for (int headers = 0; headers < 8; ++headers) {
    Block b{};
    m_in.read(b.data(), k_block);
    if (m_in.gcount() != static_cast<std::streamsize>(k_block)) {
      return corrupt("it ends inside a header (truncated)");
    }
    if (std::all_of(b.begin(), b.end(), [](char c) { return c == '\0'; })) {
      return Entry{.end = true};
    }
    const auto stored = octal(b, 148, 8);
    if (!stored || *stored != checksum(b)) {
      return corrupt("a header's checksum does not match");
    }
    const auto size = octal(b, 124, 12);
    if (!size && b[124] != '\0') {
      return corrupt("a header's size is not octal");
    }
    Entry e{.end = false, .name = field(b, 0, 100), .type = b[156], .size = size.value_or(0)};
    if (const auto prefix = field(b, 345, 155); !prefix.empty() && field(b, 257, 6) == "ustar") {
      e.name = prefix + "/" + e.name;
    }
    if (e.type == 'x' || e.type == 'g') {
      SIGIL_TRY(read_pax(e.size, e.type == 'g'));
      continue;
    }
    e.name = m_pax_path.value_or(e.name);
    e.size = m_pax_size.value_or(e.size);
    m_pax_path.reset();
    m_pax_size.reset();
    return e;
  }
  return corrupt("too many pax headers in a row");
}

Result<void> TarReader::read_pax(std::uint64_t size, bool global)
{
  if (size > k_max_pax_size) {
    return corrupt("a pax header is over 1 MiB");
  }
  std::string records(size, '\0');
  m_in.read(records.data(), static_cast<std::streamsize>(size));
  if (m_in.gcount() != static_cast<std::streamsize>(size)) {
    return corrupt("it ends inside a pax header (truncated)");
  }
  SIGIL_TRY(skip((k_block - size % k_block) % k_block));
  for (std::size_t at = 0; at < records.size();) {
    const auto space = records.find(' ', at);
    const auto digits = space == std::string::npos ? std::string_view{} : std::string_view(records).substr(at, space - at);
    // The length is bounded by what is left before it is added (no wrap-around), whole digits only.
    const auto parsed = util::parse_uint(digits, records.size() - at);
    const std::uint64_t len = parsed.value_or(0);
    if (!parsed || len <= digits.size() + 1 || records[at + len - 1] != '\n' || records.find('\0', at) < at + len) {
      return corrupt("a pax record is malformed");
    }
    const auto record = std::string_view(records).substr(space + 1, at + len - space - 2); // no '\n'
    const auto eq = record.find('=');
    const auto key = record.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : record.substr(eq + 1);
    if (key == "path" && !global) {
      m_pax_path = std::string(value);
    } else if (key == "size" && !global) {
      const auto v = util::parse_uint(value);
      if (!v) {
        return corrupt("a pax size is not a number");
      }
      m_pax_size = *v;
    }
    at += len;
  }
  return {};
}

Result<void> TarReader::skip(std::uint64_t size)
{
  std::vector<char> buffer(std::min<std::uint64_t>(std::max<std::uint64_t>(size, 1), k_chunk));
  while (size > 0) {
    m_in.read(buffer.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(size, buffer.size())));
    if (m_in.gcount() <= 0) {
      return corrupt("it ends inside an entry (truncated)");
    }
    size -= static_cast<std::uint64_t>(m_in.gcount());
  }
  return {};
}

// The entry's name as a path under the target directory; refuses anything else.
Result<std::string> TarReader::checked_name(const Entry& e)
{
  std::string_view name = e.name;
  if (name.starts_with('/')) {
    return refuse(e.name, "is an absolute path");
  }
  while (name.starts_with("./")) {
    name.remove_prefix(2);
  }
  while (name.ends_with('/')) {
    name.remove_suffix(1);
  }
  for (std::size_t at = 0; at <= name.size();) {
    const auto slash = std::min(name.find('/', at), name.size());
    const auto part = name.substr(at, slash - at);
    if (part == "..") {
      return refuse(e.name, "has a '..' component");
    }
    if ((part.empty() || part == ".") && !(name.empty() || name == ".")) {
      return refuse(e.name, "is not a plain relative path");
    }
    at = slash + 1;
  }
  if (e.type == '1' || e.type == '2') {
    return refuse(e.name, e.type == '1' ? "is a hard link" : "is a symbolic link");
  }
  if (e.type != '0' && e.type != '\0' && e.type != '7' && e.type != '5') {
    return refuse(e.name, fmt::format("is neither a regular file nor a directory (type '{}')", e.type));
  }
  const bool dir = e.type == '5';
  const bool top_file = !dir && (name == "oci-layout" || name == "index.json");
  const bool blob = name == "blobs" ? dir : name.starts_with("blobs/");
  if (!top_file && !blob && !(dir && (name.empty() || name == "."))) {
    return refuse(e.name, "is outside blobs/, oci-layout and index.json");
  }
  return std::string(name);
}

Result<void> TarReader::extract(const Entry& e)
{
  SIGIL_TRY_ASSIGN(const auto name, checked_name(e));
  std::error_code ec;
  if (e.type == '5') {
    fs::create_directories(m_dir / name, ec);
    return ec ? fail(ErrorCode::other, fmt::format("cannot create {}", (m_dir / name).string())) : Result<void>{};
  }
  if (!m_seen.insert(name).second) {
    return refuse(e.name, "appears twice");
  }
  const fs::path target = m_dir / name;
  fs::create_directories(target.parent_path(), ec);
  std::FILE* out = ec ? nullptr : std::fopen(target.c_str(), "wbx");
  if (out == nullptr) {
    return fail(ErrorCode::other, fmt::format("cannot create {}", target.string()));
  }
  std::vector<char> buffer(k_chunk);
  std::uint64_t left = e.size;
  bool ok = true;
  while (left > 0 && ok) {
    m_in.read(buffer.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, buffer.size())));
    const auto got = static_cast<std::size_t>(std::max<std::streamsize>(m_in.gcount(), 0));
    ok = got > 0 && std::fwrite(buffer.data(), 1, got, out) == got;
    left -= got;
  }
  const bool closed = std::fclose(out) == 0;
  if (left != 0) {
    return corrupt(fmt::format("it ends inside {} (truncated)", e.name));
  }
  if (!ok || !closed) {
    return fail(ErrorCode::other, fmt::format("cannot write {} (disk full?)", target.string()));
  }
  return skip((k_block - e.size % k_block) % k_block);
}

} // namespace

Result<void> write_layout_tar(const fs::path& dir, const fs::path& file)
{
  SIGIL_TRY_ASSIGN(const auto entries, layout_entries(dir));
  const fs::path tmp = file.string() + ".sigil-tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) {
    return fail(ErrorCode::other, fmt::format("cannot create {}", tmp.string()));
  }
  const auto written = [&]() -> Result<void> {
    for (const auto& [name, is_dir] : entries) {
      if (is_dir) {
        write_header(out, name, '5', 0, 0755);
      } else {
        SIGIL_TRY(write_file(out, dir / name, name));
      }
    }
    static const Block zero{};
    out.write(zero.data(), k_block);
    out.write(zero.data(), k_block);
    out.close();
    if (!out) {
      return fail(ErrorCode::other, fmt::format("cannot write {} (disk full?)", tmp.string()));
    }
    return {};
  }();
  std::error_code ec;
  if (written) {
    fs::rename(tmp, file, ec);
  }
  if (!written) {
    fs::remove(tmp, ec);
    return written;
  }
  if (ec) {
    fs::remove(tmp, ec);
    return fail(ErrorCode::other, fmt::format("cannot rename {} to {}", tmp.string(), file.string()));
  }
  return {};
}

Result<void> extract_layout_tar(const fs::path& file, const fs::path& dir)
{
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::not_found, fmt::format("cannot open {}", file.string()));
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_empty(dir, ec)) {
    return fail(ErrorCode::other, fmt::format("{} is not an empty directory to extract into", dir.string()));
  }
  return TarReader(in, file, dir).run();
}

} // namespace sigil::copy
