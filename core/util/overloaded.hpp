// Overloaded{lambdas...}: one visitor from several lambdas, for std::visit.
#pragma once

namespace lontar {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace lontar
