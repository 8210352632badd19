export * from "./dependency";
