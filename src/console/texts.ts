/**
 * Files the consoles show or use as text: the case-summary prompt and the bundled data files (shown
 * in the PMO console until a first save). Node reads them from the repository at start
 * (readConsoleTexts in src/console/texts-fs.ts); Workers bundle them (src/console/texts-bundled.ts).
 */
export interface ConsoleTexts {
  caseSummaryPrompt: string
  programmes: string
  assessment: string
}
