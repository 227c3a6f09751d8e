#include "adapters/runtime/demo.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include <sys/stat.h>

#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/evidence.h"
#include "engine/commands/households.h"
#include "engine/commands/leads.h"
#include "engine/core/id_number.h"

namespace dixian::runtime {

using namespace engine;
using nlohmann::json;

namespace {

struct Demo {
  Engine& engine;
  Principal admin;
  std::map<std::string, Principal> users;  // id -> principal
  std::string tokens;

  void AddOrg(const std::string& code, const std::string& name, const std::string& level, const std::string& parent) {
    (void)RunNow(engine, &CreateOrg, admin, {code, name, level, parent});
  }
  void AddUser(const std::string& id, const std::string& name, const std::string& role, const std::string& org,
               const std::string& mobile, const std::string& dept = "") {
    auto r = RunNow(engine, &CreateUser, admin, {id, name, role, org, mobile, dept});
    if (!r.ok()) return;
    tokens += id + "\t" + role + "\t" + name + "\t" + r->token + "\n";
    users[id] = Principal{r->user};
  }
  std::string NewCase(const std::string& clerk, const std::string& workflow, const std::string& hh, json data) {
    auto r = RunNow(engine, &OpenCase, users[clerk], {workflow, hh, std::move(data)});
    return r.ok() ? r->c.id : "";
  }
  bool Act(const std::string& user, const std::string& case_id, const std::string& action, const std::string& comment = "",
           json data = json::object()) {
    auto c = GetCase(engine, users[user], case_id);
    if (!c.ok()) return false;
    return RunNow(engine, &ActOnCase, users[user], {case_id, action, comment, c->c.version, std::move(data)}).ok();
  }
  // 佐证材料: the minutes the village step requires, and a photo of the visit.
  void AttachEvidence(const std::string& clerk, const std::string& case_id) {
    static const std::string kPhoto(
        "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00"
        "\x00\x08\x08\x02\x00\x00\x00\x4b\x6d\x29\xdc\x00\x00\x00\x11\x49\x44\x41\x54\x78\xda\x63"
        "\xd0\xab\x35\xc2\x8a\x18\x86\x96\x04\x00\x96\x03\x37\x41\x8a\xfd\xeb\x7c\x00\x00\x00\x00"
        "\x49\x45\x4e\x44\xae\x42\x60\x82",
        74);
    const std::string minutes = "%PDF-1.4\n% 民主评议会议记录 " + case_id + "\n%%EOF\n";
    (void)RunNow(engine, &AttachToCase, users[clerk],
                 {case_id, "", std::nullopt, "meeting_minutes", "民主评议会议记录.pdf", "application/pdf", minutes});
    (void)RunNow(engine, &AttachToCase, users[clerk],
                 {case_id, "", std::nullopt, "visit_photo", "入户照片.png", "image/png", kPhoto});
  }
};

const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "胡", "朱", "郭"};
const char* kGiven[] = {"建国", "秀英", "桂花", "志强", "德明", "玉兰", "国华", "春梅", "永福", "金凤", "海涛", "丽娟"};
const char* kTypes[] = {"marginal", "unstable_former_poor", "sudden_hardship"};
const char* kCausesList[] = {"illness", "disability", "schooling", "disaster", "unstable_employment", "accident", "other"};

}  // namespace

Status LoadDemoCounty(Engine& engine, const std::string& tokens_path) {
  Principal admin;
  admin.user.id = "admin";
  admin.user.name = "系统管理员";
  admin.user.role = Role::kAdmin;
  if (engine.store().Read()->FindOrg("520000")) return OkStatus();  // already loaded
  Demo d{engine, admin, {}, ""};
  d.AddOrg("520000", "示范省", "province", "");
  d.AddOrg("520100", "示范市", "city", "520000");
  d.AddOrg("520121", "示范县", "county", "520100");
  const std::vector<std::pair<std::string, std::string>> townships = {
      {"520121100", "青山镇"}, {"520121101", "石桥乡"}, {"520121102", "河口镇"}};
  const char* villages[] = {"上寨村", "下坝村", "杨柳村"};
  std::vector<std::string> village_codes;
  d.AddUser("province-1", "省备案员", "province_officer", "520000", "13800000001");
  d.AddUser("county-1", "县审定员", "county_officer", "520121", "13800000002");
  d.AddUser("supervisor-1", "县督导员", "supervisor", "520121", "13800000003");
  const std::vector<std::pair<std::string, std::string>> departments = {
      {"civil_affairs", "县民政局"}, {"education", "县教育局"}, {"medical", "县医保局"},
      {"housing", "县住建局"},       {"water", "县水务局"},     {"human_resources", "县人社局"}};
  for (const auto& [dept, name] : departments) d.AddUser("dept-" + dept, name, "department_officer", "520121", "", dept);
  for (size_t t = 0; t < townships.size(); ++t) {
    const auto& [tcode, tname] = townships[t];
    d.AddOrg(tcode, tname, "township", "520121");
    d.AddUser("township-" + std::to_string(t + 1), tname + "审核员", "township_reviewer", tcode, "1380000010" + std::to_string(t));
    d.AddUser("contact-" + std::to_string(t + 1), tname + "帮扶干部", "contact_person", tcode, "1390000010" + std::to_string(t));
    for (int v = 0; v < 3; ++v) {
      const std::string vcode = tcode + "20" + std::to_string(v);
      d.AddOrg(vcode, villages[v], "village", tcode);
      village_codes.push_back(vcode);
      d.AddUser("clerk-" + vcode, std::string(villages[v]) + "填报员", "village_clerk", vcode, "1370000" + vcode.substr(5));
    }
  }
  std::mt19937 rng(20261123);
  std::string csv = "id,village,head_name,members,income_per_capita\n";
  std::vector<int> incomes;
  for (int i = 0; i < 300; ++i) {
    const auto& v = village_codes[static_cast<size_t>(i) % village_codes.size()];
    int income = 3000 + static_cast<int>(rng() % 9000);
    // The first 60 get cases below: a figure that fits their type (seed 003: 6,000 yuan).
    if (i < 60) income = std::string(kTypes[(i / 6) % 3]) == "sudden_hardship" ? 6000 + income % 3000
                                                                                 : 3000 + income % 3000;
    incomes.push_back(income);
    csv += "H" + std::to_string(100000 + i) + "," + v + "," + kSurnames[rng() % 16] + kGiven[rng() % 12] + "," +
           std::to_string(1 + rng() % 6) + "," + std::to_string(income) + "\n";
  }
  if (auto r = RunNow(engine, &ImportHouseholds, admin, {csv}); !r.ok()) return r.error();
  // Cases in every state of the identification chain, and follow-ups for the admitted.
  for (int i = 0; i < 60; ++i) {
    const std::string hh = "H" + std::to_string(100000 + i);
    const auto& v = village_codes[static_cast<size_t>(i) % village_codes.size()];
    const std::string clerk = "clerk-" + v;
    const std::string township = "township-" + std::to_string((i % 9) / 3 + 1);
    json data = {{"type", kTypes[(i / 6) % 3]}, {"primary_cause", kCausesList[i % 7]}, {"income_per_capita", incomes[static_cast<size_t>(i)]},
                 {"visit_record", "入户核实：家庭成员患病，医疗支出较大"}, {"meeting_record", "村民代表评议通过"}};
    const auto id = d.NewCase(clerk, "identification", hh, data);
    if (id.empty()) continue;
    const int stage = i % 6;
    if (stage >= 1) d.AttachEvidence(clerk, id);
    if (stage >= 1) d.Act(clerk, id, "submit");
    if (stage == 2) d.Act(township, id, "return", "入户核实材料不全，请补充评议记录");
    if (stage >= 3) d.Act(township, id, "approve");
    if (stage == 4) d.Act("county-1", id, "reject", "家庭收入超过监测范围，不予纳入");
    if (stage == 5) {
      d.Act("county-1", id, "approve");
      const std::string contact = "contact-" + std::to_string((i % 9) / 3 + 1);
      if (i % 12 == 5) {
        (void)RunNow(engine, &AssignContact, d.users[township], {hh, contact});
        (void)RunNow(engine, &RecordMeasure, d.users[contact], {hh, "medical", "落实医疗保障", "medical"});
        // The alert loop (测/补/销) at a different step for each of these households.
        const auto alert = d.NewCase(clerk, "alert", hh, {{"item", i % 24 == 5 ? "medical" : "housing"}});
        const int step = (i / 12) % 5;
        if (step >= 1) d.Act(clerk, alert, "submit");
        if (step >= 2) d.Act(township, alert, "approve");
        if (step >= 3) d.Act("county-1", alert, "approve");
        if (step >= 4) d.Act(i % 24 == 5 ? "dept-medical" : "dept-housing", alert, "submit", "已完成补短");
      } else {
        // Risk elimination (风险消除) moving up to the province.
        const auto elim = d.NewCase(clerk, "risk_elimination", hh, json::object());
        const int step = (i / 12) % 4;
        if (step >= 1) d.Act(clerk, elim, "submit");
        if (step >= 2) d.Act(township, elim, "approve");
        if (step >= 3) d.Act("county-1", elim, "approve");
      }
    }
  }
  // Members as persons for the first 90 households, a county medical-insurance list (one row for a
  // person outside the county comes back unmatched) and self-reports awaiting verification.
  auto id_number = [](int i, bool male) {
    char first17[18];
    std::snprintf(first17, sizeof first17, "520121%04d%02d%02d%03d", 1960 + i % 30, 1 + i % 12,
                  1 + i % 28, (i % 400) * 2 + (male ? 1 : 2));
    return std::string(first17) + IdCheckCharacter(first17);
  };
  std::string members = "household,name,relation,id_number,sex,birth_year,labour,health,schooling\n";
  for (int i = 0; i < 90; ++i) {
    const std::string hh = "H" + std::to_string(100000 + i);
    members += hh + "," + kSurnames[i % 16] + kGiven[i % 12] + ",head," + id_number(i, true) +
               ",,,full,健康,\n";
    members += hh + "," + kSurnames[(i + 3) % 16] + kGiven[(i + 5) % 12] + ",spouse," +
               id_number(i + 500, false) + ",,," + (i % 5 == 0 ? "weak,长期慢性病" : "full,健康") +
               ",\n";
  }
  if (auto r = RunNow(engine, &ImportMembers, admin, {members}); !r.ok()) return r.error();
  std::string list = "id_number,indicator,detail\n";
  for (int i = 60; i < 66; ++i) list += id_number(i + 500, false) + ",医疗自付费用超过年收入50%,\n";
  list += "11010519491231002X,医疗自付费用超过年收入50%,\n";
  if (auto r = RunNow(engine, &ImportLeads, d.users["dept-medical"], {list}); !r.ok())
    return r.error();
  for (int i = 66; i < 70; ++i) {
    const auto& v = village_codes[static_cast<size_t>(i) % village_codes.size()];
    (void)RunNow(engine, &RecordLead, d.users["clerk-" + v],
                 {"H" + std::to_string(100000 + i), "", "self_report", "家中突发变故",
                  "农户自主申报：家庭成员意外受伤"});
  }
  // `--db demo.db` puts the tokens beside it in the working directory: no folder to create.
  if (const auto dir = std::filesystem::path(tokens_path).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error::Internal("无法创建示范令牌文件的目录 " + dir.string() + "：" + ec.message());
  }
  std::ofstream out(tokens_path, std::ios::trunc);
  out << "# 示范县用户令牌 (demo user tokens): id\trole\tname\ttoken\n" << d.tokens;
  out.close();
  ::chmod(tokens_path.c_str(), 0600);
  return OkStatus();
}

}  // namespace dixian::runtime
