// sigil::gate Kubernetes manifests: every container image a rendered manifest set would run.
//
// Reads YAML streams (several documents separated by `---`, as `helm template` and
// `kustomize build` print them; JSON is YAML too) and finds the images of the workload kinds:
//   Pod                                   spec
//   PodTemplate                           template.spec
//   Deployment StatefulSet DaemonSet ReplicaSet ReplicationController Job
//                                         spec.template.spec
//   CronJob                               spec.jobTemplate.spec.template.spec
// in `containers`, `initContainers` and `ephemeralContainers`, and image volumes
// (`volumes[].image.reference`). Any object with a non-null `items` (List, DeploymentList, any
// kind: kubectl applies it as a List) is read through its items. ConfigMap, Secret and
// CustomResourceDefinition are skipped; other kinds are skipped when they have no
// containers/initContainers/ephemeralContainers/image key anywhere, else refused (or listed as
// unchecked with FindOptions::allow_unknown_kinds). An empty document is skipped. Each occurrence records where it came from and the exact place of the
// image scalar in the text (byte offset, line, column, quoting), which `pin` rewrites.
//
// Refused with a one-line error naming the file, line and column (ErrorCode::bad_input):
// text that is not YAML, a document that is not a mapping with a string `kind`, a workload
// whose container has no `image` string or whose image is not a valid reference, more than
// k_max_occurrences images; and what kubectl reads differently from yaml-cpp: a key twice in one
// mapping, a merge key <<, a line starting with --- that is not exactly a document marker, a
// Kustomization; more than k_max_nodes nodes (nested aliases).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::gate {

enum class Quoting { plain, single, double_ };

struct ImageOccurrence {
  std::string file;       // as given ("-" for standard input)
  std::size_t document = 0; // 1-based number of the document in the file (empty documents not counted)
  std::string kind;       // "Deployment" (the item's kind inside a List)
  std::string name;       // metadata.name ("" when absent)
  std::string container;  // the container's (or volume's) name ("" when absent)
  std::string field;      // "containers", "initContainers", "ephemeralContainers" or "volumes"
  std::string text;       // the image exactly as written ("nginx:1.25")
  oci::Reference image;   // parsed and normalised (index.docker.io/library/nginx:1.25)
  std::size_t offset = 0; // byte offset of the scalar's first character (its quote, if quoted)
  std::size_t line = 0;   // 1-based
  std::size_t column = 0; // 1-based, in bytes
  Quoting quoting = Quoting::plain;

  // "deploy.yaml: document 3: Deployment/web: container app (line 21)"
  [[nodiscard]] std::string where() const;
};

// At most this many image occurrences per file (aliases can name one container many times).
inline constexpr std::size_t k_max_occurrences = 100000;
// At most this many YAML nodes walked per file, aliases counted at every use (nested aliases
// can name billions).
inline constexpr std::size_t k_max_nodes = 1000000;

struct FindOptions {
  // Kinds the gate does not know that have image keys are listed in `unchecked` instead of refused.
  bool allow_unknown_kinds = false;
};

// Every image of the workloads in `text`, in document order. `file` names the source in
// errors and in each occurrence. With options.allow_unknown_kinds, the objects of unknown
// kinds that have image keys are appended to *unchecked ("FILE: document N: KIND/NAME (line L)").
[[nodiscard]] Result<std::vector<ImageOccurrence>> find_images(std::string_view text, const std::string& file,
                                                               const FindOptions& options = {},
                                                               std::vector<std::string>* unchecked = nullptr);

} // namespace sigil::gate
