export default function About() {
  return (
    <>
      <h1>About</h1>
      <p>An example app tracked by mbuzz.</p>
    </>
  );
}
