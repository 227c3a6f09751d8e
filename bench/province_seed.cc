// The synthetic province as a database (issue 7's data): 10 cities, 100 counties, 1,500
// townships, 15,000 villages; N households, village by village; 5 % of them monitoring objects,
// each with one case, the cases going round every state of every shipped workflow (final states
// closed, the others with their open step task); the other households get open identification
// or alert cases (applications, department alerts) until there are C open cases; then follow-up
// tasks (visits, measures, contact, handover) of the monitored households until there are T open
// tasks. Due times run across the coming year in insertion order with a seeded jitter (so bulk
// inserts stay near the end of the due-time indexes); K open tasks have their next timer at one
// instant. Deterministic from the seed (splitmix64, no std:: distributions), through WriteTx.
#include <map>

#include "bench/bench_common.h"
#include "bench/province_seed.h"

namespace dixian::bench {

namespace {

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Digits(int value, int width) {
  std::string s = std::to_string(value);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

struct Village {
  engine::Org village;
  std::vector<engine::Org> up;  // township, county, city, province
};

// Inserts the org tree below the province of SeedOrgChain (its chain's codes are reused).
std::vector<Village> SeedOrgTree(World& w) {
  std::vector<Village> villages;
  Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<nlohmann::json> {
    auto add = [&tx](const std::string& code, const std::string& name, engine::OrgLevel level,
                     const engine::Org& parent) {
      if (auto existing = tx.FindOrg(code)) return *existing;
      engine::Org o{code, name, level, parent.code, parent.path + code + "/"};
      Check(tx.InsertOrg(o).ok(), "insert org " + code);
      return o;
    };
    const engine::Org province = *tx.FindOrg(kProvince);
    for (int c = 1; c <= 10; ++c) {
      const auto city = add("52" + Digits(c, 2) + "00000000", "市" + std::to_string(c), engine::OrgLevel::kCity, province);
      for (int d = 1; d <= 10; ++d) {
        const auto county = add("52" + Digits(c, 2) + Digits(d, 2) + "000000", "县" + std::to_string(d), engine::OrgLevel::kCounty, city);
        for (int t = 1; t <= 15; ++t) {
          const auto town = add(county.code.substr(0, 6) + Digits(t, 3) + "000", "镇" + std::to_string(t), engine::OrgLevel::kTownship, county);
          for (int v = 1; v <= 10; ++v) {
            auto village = add(town.code.substr(0, 9) + Digits(v, 3), "村" + std::to_string(v), engine::OrgLevel::kVillage, town);
            villages.push_back({std::move(village), {town, county, city, province}});
          }
        }
      }
    }
    return nlohmann::json(nullptr);
  }), "seed org tree");
  return villages;
}

const engine::Org& OrgAtLevel(const Village& v, engine::OrgLevel level) {
  if (level == engine::OrgLevel::kVillage) return v.village;
  for (const auto& o : v.up)
    if (o.level == level) return o;
  return v.village;
}

struct StateSlot {
  engine::WorkflowPtr def;
  const engine::StateDef* state;
};

// Every state of every workflow, or (open_entry) the open states of the two entry chains a
// household that is not (yet) a monitoring object can be in.
std::vector<StateSlot> States(const engine::WorkflowRegistry& registry, bool open_entry) {
  std::vector<StateSlot> slots;
  for (const auto& name : registry.Names()) {
    if (open_entry && name != "identification" && name != "alert") continue;
    auto def = registry.Latest(name);
    for (const auto& s : def->state_order)
      if (!open_entry || !def->states.at(s).final) slots.push_back({def, &def->states.at(s)});
  }
  return slots;
}

// Two or three measures (the first within 10 days for about two households in three), a visit
// in each of the last three months for most, and the admission's movement (every 8th household
// also marked risk-eliminated).
void AddReportData(engine::WriteTx& tx, ProvinceFigures& f, const engine::Household& h,
                   engine::MonitoringType type, engine::Instant admitted, engine::Instant now,
                   std::uint64_t r) {
  static const auto kinds = engine::MeasureKinds();
  for (std::uint64_t k = 0; k < 2 + r % 2; ++k) {
    engine::Measure m;
    m.household = h.id;
    m.kind = kinds[(r >> (8 + k * 4)) % kinds.size()];
    m.created_by = "clerk";
    m.created_at = std::min(now, admitted + static_cast<engine::Instant>(((r >> 12) % 15 + k * 20) * 86400));
    tx.InsertMeasure(m);
    ++f.measures;
  }
  for (int month = 0; month < 3; ++month) {
    if ((r >> (30 + month)) % 5 == 0) continue;
    tx.InsertVisit({0, h.id, engine::VisitMode::kHome, "", "clerk",
                    now - month * 30 * 86400 - static_cast<engine::Instant>((r >> 36) % (20 * 86400))});
    ++f.visits;
  }
  tx.InsertMovement({0, admitted, engine::MovementKind::kAdmitted, h.id, h.village_path, "",
                     engine::Name(type), "", h.members});
  ++f.movements;
  if ((r >> 40) % 8 == 0) {
    tx.InsertMovement({0, std::min(now, admitted + 100 * 86400), engine::MovementKind::kRiskEliminated,
                       h.id, h.village_path, "", "", "", h.members});
    ++f.movements;
  }
}

}  // namespace

ProvinceFigures SeedProvince(World& w, const ProvinceSpec& spec) {
  const engine::Instant now = w.clock->Now();
  const auto villages = SeedOrgTree(w);
  const auto slots = States(w.engine->workflows(), false);
  const auto entry_slots = States(w.engine->workflows(), true);
  const auto followups = w.engine->workflows().Latest("followups");
  static const char* kFollowUps[] = {"visit", "measures", "assign_contact", "handover"};
  static const char* kTypes[] = {"unstable_former_poor", "marginal", "sudden_hardship"};
  static const engine::MonitoringType kTypeValues[] = {engine::MonitoringType::kUnstableFormerPoor,
                                                       engine::MonitoringType::kMarginal,
                                                       engine::MonitoringType::kSuddenHardship};
  ProvinceFigures f;
  f.due_at = now + 86400;
  const std::int64_t due_stride = std::max<std::int64_t>(1, spec.open_tasks / std::max<std::int64_t>(1, spec.due));
  std::vector<std::pair<std::string, const Village*>> monitored;
  auto add_task = [&](engine::WriteTx& tx, engine::Task t) {
    const std::uint64_t r = SplitMix(spec.seed ^ static_cast<std::uint64_t>(f.open_tasks) << 1);
    t.created_at = now;
    t.due_at = now + 2 * 86400 + static_cast<engine::Instant>(r % 86400) +
               363 * 86400 * f.open_tasks / std::max<std::int64_t>(1, spec.open_tasks);
    const bool due_now = f.open_tasks % due_stride == 0 && f.open_tasks / due_stride < spec.due;
    t.next_fire_at = due_now ? f.due_at : t.due_at - 86400;
    f.due += due_now ? 1 : 0;
    if (spec.report_data && !due_now && f.open_tasks % 10 == 7) {  // late, every reminder fired
      t.due_at = now - 86400 - static_cast<engine::Instant>(r % (90 * 86400));
      t.next_fire_at.reset();
      ++f.overdue;
    }
    tx.InsertTask(t);
    ++f.open_tasks;
  };
  constexpr std::int64_t kPerJob = 20000;
  for (std::int64_t start = 0; start < spec.households; start += kPerJob) {
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<nlohmann::json> {
      for (std::int64_t i = start; i < std::min(spec.households, start + kPerJob); ++i) {
        const std::int64_t per_village = (spec.households + static_cast<std::int64_t>(villages.size()) - 1) /
                                         static_cast<std::int64_t>(villages.size());
        const Village& v = villages[static_cast<std::size_t>(i / per_village)];
        const std::uint64_t r = SplitMix(spec.seed + static_cast<std::uint64_t>(i));
        engine::Household h{v.village.code + Digits(static_cast<int>(i % per_village), 4),
                            v.village.code, v.village.path, "户主" + std::to_string(i), 1 + static_cast<int>(r % 6),
                            static_cast<double>(3000 + r % 12000), now};
        if (auto st = tx.InsertHousehold(h); !st.ok()) return st.error();
        const bool is_monitored = r % 20 == 0;  // 5 % are monitoring objects
        if (!is_monitored && f.open_cases >= spec.open_cases) continue;
        const StateSlot& slot = is_monitored ? slots[monitored.size() % slots.size()]
                                             : entry_slots[static_cast<std::size_t>(i) % entry_slots.size()];
        if (is_monitored) {
          const engine::Instant admitted = spec.report_data ? now - static_cast<engine::Instant>((r >> 20) % (365 * 86400)) : now;
          tx.UpsertMonitoring({h.id, kTypeValues[r % 3], engine::MonitoringStatus::kRiskActive, engine::Cause::kIllness,
                               {engine::Cause::kIllness}, admitted, "", now});
          if (spec.report_data) AddReportData(tx, f, h, kTypeValues[r % 3], admitted, now, r);
        }
        engine::Case c;
        c.id = tx.NextCaseId();
        c.workflow = slot.def->name;
        c.workflow_version = slot.def->version;
        c.household = h.id;
        c.state = slot.state->name;
        c.version = 1;
        c.org_path = v.village.path;
        c.data = {{"type", kTypes[r % 3]}, {"causes", {"illness"}}, {"item", "medical"}};
        c.created_by = "clerk";
        c.created_at = c.updated_at = now;
        c.closed = slot.state->final;
        c.department = engine::Department::kMedical;  // read only by department steps
        tx.InsertCase(c);
        ++f.cases;
        f.open_cases += c.closed ? 0 : 1;
        ++f.states[c.workflow + "." + c.state];
        if (slot.state->actor && f.open_tasks < spec.open_tasks) {
          const auto& org = OrgAtLevel(v, slot.state->actor->level);
          engine::Task t;
          t.case_id = c.id;
          t.household = h.id;
          t.workflow = c.workflow;
          t.workflow_version = c.workflow_version;
          t.step = c.state;
          t.org = org.code;
          t.org_path = org.path;
          t.role = slot.state->actor->role;
          if (slot.state->actor->department_from_case) t.department = engine::Department::kMedical;
          add_task(tx, t);
        }
        if (!is_monitored) continue;
        monitored.emplace_back(h.id, &v);
      }
      return nlohmann::json(nullptr);
    }), "seed households");
  }
  f.households = spec.households;
  f.monitored = static_cast<std::int64_t>(monitored.size());
  // Follow-ups of the monitored households until the open-task count is reached.
  for (std::int64_t n = 0; f.open_tasks < spec.open_tasks && !monitored.empty(); n += kPerJob) {
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<nlohmann::json> {
      for (std::int64_t k = n; k < n + kPerJob && f.open_tasks < spec.open_tasks; ++k) {
        const auto& [household, v] = monitored[static_cast<std::size_t>(k) % monitored.size()];
        const std::string kind = kFollowUps[k % 4];
        const auto* def = &followups->tasks.at(kind);
        const auto& org = OrgAtLevel(*v, def->actor.level);
        engine::Task t;
        t.household = household;
        t.workflow = followups->name;
        t.workflow_version = followups->version;
        t.step = kind;
        t.org = org.code;
        t.org_path = org.path;
        t.role = def->actor.role;
        if (kind == "visit") t.period = "2027-" + Digits(1 + static_cast<int>(k % 12), 2);
        add_task(tx, t);
      }
      return nlohmann::json(nullptr);
    }), "seed follow-ups");
  }
  return f;
}

}  // namespace dixian::bench
