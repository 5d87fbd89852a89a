/** Languages of AI answers and analyst texts. */
export type Language = 'ko' | 'en';
