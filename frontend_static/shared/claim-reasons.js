// The reasons a claim gives, as staff read them in the desk and the marketing console (the
// portal asks shoppers in words of its own).
export const CLAIM_REASONS = {
  en: { mechanical_failure: "Mechanical failure", accidental_damage: "Accidental damage",
    power_surge: "Power surge", cosmetic: "Cosmetic", lost: "Lost", stolen: "Stolen", other: "Other" },
  pl: { mechanical_failure: "Awaria mechaniczna", accidental_damage: "Przypadkowe uszkodzenie",
    power_surge: "Przepięcie", cosmetic: "Wada kosmetyczna", lost: "Zgubienie", stolen: "Kradzież", other: "Inne" },
  "zh-hans": { mechanical_failure: "机械故障", accidental_damage: "意外损坏", power_surge: "电涌", cosmetic: "外观问题",
    lost: "丢失", stolen: "被盗", other: "其他" },
};
