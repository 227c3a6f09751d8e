// Deterministic generator of a synthetic province for benchmarks.
//
//   gen_province [--seed N] [--households N] [--counties N] [--out DIR]
//
// Writes DIR/orgs.csv (code,name,level,parent; 12-digit administrative division codes, parents
// before children: 1 province, cities, counties, townships, villages) and DIR/households.csv in
// the import format of POST /api/v1/households/import (id,village,head_name,members,
// income_per_capita). The same seed gives byte-identical files on every machine: the generator
// uses its own PRNG (splitmix64) and no std:: distributions, whose output is not portable.
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kCountiesPerCity = 10;
constexpr int kTownshipsPerCounty = 15;
constexpr int kVillagesPerTownship = 10;
constexpr std::string_view kProvinceCode = "52";

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for benchmark data (n is small).
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(Next() % n); }

 private:
  std::uint64_t state_;
};

// Common surnames, roughly by frequency (the first ones drawn more often).
constexpr std::array<std::string_view, 40> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "邓",
    "冯", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余"};
constexpr std::array<std::string_view, 48> kGivenChars = {
    "国", "建", "华", "明", "平", "红", "秀", "英", "文", "军", "春", "海", "玉", "兰", "芳", "德",
    "富", "贵", "永", "福", "荣", "志", "强", "桂", "金", "成", "光", "林", "勇", "学", "清", "树",
    "忠", "凤", "兴", "宝", "珍", "长", "发", "云", "霞", "明", "顺", "安", "良", "财", "生", "梅"};
constexpr std::array<std::string_view, 32> kPlaceChars = {
    "安", "平", "兴", "和", "丰", "宁", "新", "石", "河", "山", "龙", "凤", "青", "白", "东", "西",
    "南", "北", "清", "水", "桥", "坪", "坝", "岭", "沟", "溪", "林", "田", "长", "乐", "红", "星"};

std::string PlaceName(SplitMix64& rng, std::string_view suffix) {
  std::string name(kPlaceChars[rng.Below(kPlaceChars.size())]);
  name += kPlaceChars[rng.Below(kPlaceChars.size())];
  name += suffix;
  return name;
}

std::string HeadName(SplitMix64& rng) {
  // Skew toward the common surnames: min of two draws.
  const std::uint32_t a = rng.Below(kSurnames.size());
  const std::uint32_t b = rng.Below(kSurnames.size());
  std::string name(kSurnames[a < b ? a : b]);
  name += kGivenChars[rng.Below(kGivenChars.size())];
  if (rng.Below(10) < 7) name += kGivenChars[rng.Below(kGivenChars.size())];
  return name;
}

int Members(SplitMix64& rng) {
  static constexpr std::array<int, 20> kSizes = {1, 1, 2, 2, 2, 3, 3, 3, 3, 4,
                                                 4, 4, 4, 5, 5, 5, 6, 6, 7, 8};
  return kSizes[rng.Below(kSizes.size())];
}

// Yuan per person per year; most households sit between 4,000 and 20,000, a tail above.
int IncomePerCapita(SplitMix64& rng) {
  int income = 3000 + static_cast<int>(rng.Below(12000)) + static_cast<int>(rng.Below(6000));
  if (rng.Below(10) == 0) income += static_cast<int>(rng.Below(30000));
  return income;
}

struct Args {
  std::uint64_t seed = 20260101;
  long households = 1'000'000;
  int counties = 100;
  std::string out = "bench/out";
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--seed")
      a.seed = std::strtoull(v, nullptr, 10);
    else if (k == "--households")
      a.households = std::strtol(v, nullptr, 10);
    else if (k == "--counties")
      a.counties = std::atoi(v);
    else if (k == "--out")
      a.out = v;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (a.counties < 1 || a.counties > 99 * kCountiesPerCity || a.households < 0) {
    std::fprintf(stderr, "bad --counties or --households\n");
    std::exit(2);
  }
  return a;
}

std::FILE* OpenOut(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return f;
}

// Writes orgs.csv; returns the village codes.
std::vector<std::string> WriteOrgs(const Args& a, SplitMix64& rng) {
  std::FILE* f = OpenOut(a.out + "/orgs.csv");
  std::fprintf(f, "code,name,level,parent\n");
  const std::string province = std::string(kProvinceCode) + "0000000000";
  std::fprintf(f, "%s,基准省,province,\n", province.c_str());
  std::vector<std::string> villages;
  const int cities = (a.counties + kCountiesPerCity - 1) / kCountiesPerCity;
  char code[32];
  for (int c = 1; c <= cities; ++c) {
    std::snprintf(code, sizeof code, "%.2s%02d00000000", kProvinceCode.data(), c);
    const std::string city = code;
    std::fprintf(f, "%s,%s,city,%s\n", city.c_str(), PlaceName(rng, "市").c_str(),
                 province.c_str());
    for (int d = 1; d <= kCountiesPerCity && (c - 1) * kCountiesPerCity + d <= a.counties; ++d) {
      std::snprintf(code, sizeof code, "%.4s%02d000000", city.c_str(), d);
      const std::string county = code;
      std::fprintf(f, "%s,%s,county,%s\n", county.c_str(), PlaceName(rng, "县").c_str(),
                   city.c_str());
      for (int t = 1; t <= kTownshipsPerCounty; ++t) {
        std::snprintf(code, sizeof code, "%.6s%03d000", county.c_str(), 100 + t);
        const std::string township = code;
        std::fprintf(f, "%s,%s,township,%s\n", township.c_str(),
                     PlaceName(rng, rng.Below(3) == 0 ? "乡" : "镇").c_str(), county.c_str());
        for (int v = 1; v <= kVillagesPerTownship; ++v) {
          std::snprintf(code, sizeof code, "%.9s%03d", township.c_str(), 200 + v);
          std::fprintf(f, "%s,%s,village,%s\n", code, PlaceName(rng, "村").c_str(),
                       township.c_str());
          villages.emplace_back(code);
        }
      }
    }
  }
  std::fclose(f);
  return villages;
}

void WriteHouseholds(const Args& a, const std::vector<std::string>& villages, SplitMix64& rng) {
  std::FILE* f = OpenOut(a.out + "/households.csv");
  std::fprintf(f, "id,village,head_name,members,income_per_capita\n");
  // Households are spread evenly, in village order, numbered within their village.
  const long per_village =
      (a.households + static_cast<long>(villages.size()) - 1) / static_cast<long>(villages.size());
  for (long i = 0; i < a.households; ++i) {
    const std::string& village = villages[static_cast<size_t>(i / per_village)];
    std::fprintf(f, "%s%04ld,%s,%s,%d,%d\n", village.c_str(), i % per_village + 1, village.c_str(),
                 HeadName(rng).c_str(), Members(rng), IncomePerCapita(rng));
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = ParseArgs(argc, argv);
  std::filesystem::create_directories(a.out);
  SplitMix64 rng(a.seed);
  const std::vector<std::string> villages = WriteOrgs(a, rng);
  WriteHouseholds(a, villages, rng);
  std::printf("{\"bench\":\"gen_province\",\"seed\":%" PRIu64
              ",\"counties\":%d,\"villages\":%zu,\"households\":%ld,\"out\":\"%s\"}\n",
              a.seed, a.counties, villages.size(), a.households, a.out.c_str());
  return 0;
}
