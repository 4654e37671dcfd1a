// png_check FILE.png WIDTH HEIGHT MIN_COLORS: exits 0 when the PNG decodes, has that size and at
// least MIN_COLORS distinct colours (a blank or single-colour screenshot fails), else 1 with a reason.
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <unordered_set>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: png_check FILE.png WIDTH HEIGHT MIN_COLORS\n");
    return 2;
  }
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &n, 4);
  if (!px) {
    std::printf("FAIL: %s: not a readable PNG (%s)\n", argv[1], stbi_failure_reason());
    return 1;
  }
  std::unordered_set<unsigned> colors;
  for (long i = 0; i < static_cast<long>(w) * h; ++i)
    colors.insert(static_cast<unsigned>(px[i * 4]) << 16 | static_cast<unsigned>(px[i * 4 + 1]) << 8 | px[i * 4 + 2]);
  stbi_image_free(px);
  const int want_w = std::atoi(argv[2]), want_h = std::atoi(argv[3]);
  const size_t min_colors = static_cast<size_t>(std::atol(argv[4]));
  std::printf("%s: %dx%d, %zu colours\n", argv[1], w, h, colors.size());
  if (w != want_w || h != want_h) {
    std::printf("FAIL: size %dx%d, expected %dx%d\n", w, h, want_w, want_h);
    return 1;
  }
  if (colors.size() < min_colors) {
    std::printf("FAIL: %zu distinct colours, expected at least %zu\n", colors.size(), min_colors);
    return 1;
  }
  return 0;
}
