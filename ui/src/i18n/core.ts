// The core area's strings; every language has the same keys (see index.ts).
import type { AreaCatalogue } from "./index";

const catalogue: AreaCatalogue = {
  en: {},
  tr: {},
  es: {},
};

export default catalogue;
