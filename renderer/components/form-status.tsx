// What a form says after it sent: the result (a polite status) or the error, next to the form.
// The status line stays in the page while empty, so a screen reader hears what fills it.
export function FormStatus({ result, error, testId }: { result: string | null; error: string | null; testId?: string }) {
  return (
    <>
      <p role="status" className="form-result" data-testid={testId ? `${testId}-result` : undefined}>
        {result}
      </p>
      {error && (
        <p className="error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </p>
      )}
    </>
  );
}
