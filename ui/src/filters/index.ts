// The filter editor and what a page needs around it.
export {
  availabilityFromProblems,
  type FieldAvailabilityMap,
  FilterEditor,
  type FilterEditorProps,
  type FilterValue,
  type QueryStatus,
} from "./FilterEditor";
export { emptyFilter } from "./model";
