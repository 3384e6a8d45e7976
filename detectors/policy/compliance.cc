#include "detectors/policy/compliance.h"

#include <algorithm>
#include <map>

namespace vigil {

namespace {

const std::map<std::string, std::string, std::less<>>& titles() {
  static const std::map<std::string, std::string, std::less<>> t = {
      {"iso27001:A.5.14", "Information transfer"},
      {"iso27001:A.5.17", "Authentication information"},
      {"iso27001:A.5.21", "Managing information security in the ICT supply chain"},
      {"iso27001:A.8.4", "Access to source code"},
      {"iso27001:A.8.5", "Secure authentication"},
      {"iso27001:A.8.24", "Use of cryptography"},
      {"iso27001:A.8.25", "Secure development life cycle"},
      {"iso27001:A.8.26", "Application security requirements"},
      {"iso27001:A.8.27", "Secure system architecture and engineering principles"},
      {"iso27001:A.8.28", "Secure coding"},
      {"iso27001:A.8.32", "Change management"},
      {"soc2:CC6.1", "Logical access security measures"},
      {"soc2:CC6.6", "Protection against threats from outside the system boundaries"},
      {"soc2:CC6.7", "Restricted transmission of information"},
      {"soc2:CC7.1", "Detection of configuration changes and vulnerabilities"},
      {"soc2:CC7.2", "Monitoring of system components for anomalies"},
      {"soc2:CC8.1", "Authorised, tested and approved changes"},
      {"pci-dss:3.6.1", "Key-management procedures"},
      {"pci-dss:8.6.2", "No hard-coded passwords for system accounts"},
  };
  return t;
}

void add(std::vector<std::string>& v, std::initializer_list<const char*> tags) {
  for (const char* t : tags) v.emplace_back(t);
}

}  // namespace

std::string control_title(std::string_view tag) {
  const auto it = titles().find(tag);
  return it == titles().end() ? std::string() : it->second;
}

bool is_control_tag(std::string_view tag) {
  const auto colon = tag.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < tag.size();
}

std::vector<std::string> finding_controls(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& t : tags) {
    if (is_control_tag(t)) out.push_back(t);
  }
  const bool policy = std::find(tags.begin(), tags.end(), "policy") != tags.end();
  // A secret kept out of code is secure coding and vulnerability detection; a file or message
  // rule is part of how changes are controlled.
  if (policy) add(out, {"iso27001:A.8.32", "soc2:CC8.1"});
  else add(out, {"iso27001:A.8.28", "soc2:CC7.1"});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> gate_controls(std::string_view hook) {
  // Every gate run is evidence that security checks are part of the development life cycle
  // (A.8.25) under the stated requirements, named by the rules version (A.8.26).
  std::vector<std::string> out = {"iso27001:A.8.25", "iso27001:A.8.26"};
  if (hook == "pre-commit" || hook == "pre-push" || hook == "commit-msg") {
    add(out, {"iso27001:A.8.28", "soc2:CC7.1"});
  } else if (hook == "pre-receive" || hook == "update") {
    // Enforced where the developer cannot switch it off, on every change to shared branches.
    add(out, {"iso27001:A.8.27", "iso27001:A.8.32", "soc2:CC7.1", "soc2:CC8.1"});
  } else {  // CI scans and history scans
    add(out, {"iso27001:A.8.28", "soc2:CC7.1", "soc2:CC7.2"});
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil
