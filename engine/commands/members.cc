#include "engine/commands/members.h"

#include <set>

#include "engine/core/fields.h"
#include "engine/core/id_number.h"

namespace dixian::engine {

namespace {

Result<Member> MemberFrom(const MemberInput& in, const std::string& at, Instant now) {
  Member m;
  if (auto st = RequireText(at + ".name", in.name, 50); !st.ok()) return st.error();
  m.name = in.name;
  auto relation = RequireEnum<Relation>(at + ".relation", in.relation);
  if (!relation.ok()) return relation.error();
  m.relation = relation.value();
  auto facts = CheckIdNumber(at + ".id_number", in.id_number, now, &m.id_number);
  if (!facts.ok()) return facts.error();
  m.sex = facts->male ? Sex::kMale : Sex::kFemale;
  m.birth_year = facts->birth_year;
  if (!in.sex.empty()) {
    auto sex = RequireEnum<Sex>(at + ".sex", in.sex);
    if (!sex.ok()) return sex.error();
    if (sex.value() != m.sex)
      return InvalidField(at + ".sex", "与身份证号码（第 17 位）不符");
  }
  if (in.birth_year && *in.birth_year != m.birth_year)
    return InvalidField(at + ".birth_year", "与身份证号码中的出生年份（" +
                                                std::to_string(m.birth_year) + "）不符");
  auto labour = RequireEnum<Labour>(at + ".labour", in.labour);
  if (!labour.ok()) return labour.error();
  m.labour = labour.value();
  if (auto st = LimitText(at + ".health", in.health, 64); !st.ok()) return st.error();
  if (auto st = LimitText(at + ".schooling", in.schooling, 64); !st.ok()) return st.error();
  m.health = in.health;
  m.schooling = in.schooling;
  return m;
}

}  // namespace

Result<std::vector<Member>> MembersFrom(const std::vector<MemberInput>& input,
                                        const std::string& household, Instant now,
                                        const std::string& prefix) {
  if (input.empty() || input.size() > 50) return InvalidField(prefix, "应有 1 到 50 名家庭成员");
  std::vector<Member> out;
  std::set<std::string> seen;
  int heads = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    const std::string at = prefix + "[" + std::to_string(i) + "]";
    auto m = MemberFrom(input[i], at, now);
    if (!m.ok()) return m.error();
    if (!seen.insert(m->id_number).second)
      return InvalidField(at + ".id_number", "与本户另一名成员的身份证号码重复");
    if (m->relation == Relation::kHead && ++heads > 1)
      return InvalidField(at + ".relation", "一户只能有一名户主");
    m->household = household;
    m->seq = static_cast<int>(i);
    out.push_back(std::move(m.value()));
  }
  return out;
}

Status RequireOwnIdNumbers(ReadView& view, const Principal& who, const std::string& household,
                           const std::vector<Member>& members, const std::string& prefix) {
  for (size_t i = 0; i < members.size(); ++i) {
    auto other = view.FindMemberByIdNumber(members[i].id_number);
    if (!other || other->household == household) continue;
    const std::string at = prefix + "[" + std::to_string(i) + "].id_number";
    auto hh = view.FindHousehold(other->household);
    if (hh && InSubtree(who, hh->village_path))
      return Error::Conflict("duplicate_id_number",
                             at + "：该身份证号码已登记在户 " + hh->id + "（" + hh->head_name +
                                 "）的家庭成员中，一人只能属于一户");
    return Error::Conflict("duplicate_id_number",
                           at + "：该身份证号码已登记在其他户中，一人只能属于一户，请联系上级核实");
  }
  return OkStatus();
}

nlohmann::json MaskedMembers(const std::vector<Member>& members) {
  auto out = nlohmann::json::array();
  for (const auto& m : members)
    out.push_back({{"name", m.name},
                   {"relation", Name(m.relation)},
                   {"id_number", MaskIdNumber(m.id_number)},
                   {"sex", Name(m.sex)},
                   {"birth_year", m.birth_year},
                   {"labour", Name(m.labour)},
                   {"health", m.health},
                   {"schooling", m.schooling}});
  return out;
}

}  // namespace dixian::engine
