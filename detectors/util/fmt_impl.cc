// fmt's compiled part, built into vigil_core from the Debian fmt headers instead of linking
// libfmt.so: the shared library pulls in the shared libstdc++ too, and loading and relocating both
// cost the statically linked hooks ~1 ms at every start. (FMT_HEADER_ONLY would compile the same
// code into every translation unit: +3 s per file, +6 min per build on two cores.)
//
// Without FMT_HEADER_ONLY, format-inl.h defines fmt's out-of-line functions (FMT_FUNC is empty),
// and format.h declares the templates below `extern`: they are instantiated here, once.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> char;
template auto decimal_point_impl(locale_ref) -> wchar_t;

}  // namespace detail
FMT_END_NAMESPACE
