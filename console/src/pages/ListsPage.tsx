import { useEffect, useState, type FormEvent } from 'react';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { ConsoleContactImportQuery } from '../gql/graphql';
import { errorText } from '../errors';
import { onThisOrigin, parseImportReport, type ReportRow } from '../csv';
import { formatKeyValues, parseKeyValues, uploadPercent } from '../bulk';

const LISTS = graphql(`
  query ConsoleLists {
    contactLists(first: 100) {
      nodes {
        id
        name
        kind
        filter
        memberCount
      }
    }
  }
`);

const MEMBERS = graphql(`
  query ConsoleListMembers($id: ID!, $first: Int, $after: String) {
    contactList(id: $id) {
      id
      name
      kind
      memberCount
      members(first: $first, after: $after) {
        nodes {
          id
          phoneNumber
          name
          attributes
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const CREATE_LIST = graphql(`
  mutation ConsoleCreateContactList($input: CreateContactListInput!) {
    createContactList(input: $input) {
      id
    }
  }
`);

const DELETE_LIST = graphql(`
  mutation ConsoleDeleteContactList($id: ID!) {
    deleteContactList(id: $id)
  }
`);

const FIND_CONTACT = graphql(`
  query ConsoleFindContact($phoneNumber: String!) {
    contacts(filter: { phoneNumber: $phoneNumber }, first: 1) {
      nodes {
        id
      }
    }
  }
`);

const CREATE_CONTACT = graphql(`
  mutation ConsoleCreateContact($input: CreateContactInput!) {
    createContact(input: $input) {
      id
    }
  }
`);

const ADD_TO_LIST = graphql(`
  mutation ConsoleAddToList($id: ID!, $contactIds: [ID!]!) {
    addContactsToList(id: $id, contactIds: $contactIds) {
      id
      memberCount
    }
  }
`);

const REMOVE_FROM_LIST = graphql(`
  mutation ConsoleRemoveFromList($id: ID!, $contactIds: [ID!]!) {
    removeContactsFromList(id: $id, contactIds: $contactIds) {
      id
      memberCount
    }
  }
`);

const RENAME_LIST = graphql(`
  mutation ConsoleRenameContactList($id: ID!, $name: String!) {
    renameContactList(id: $id, name: $name) {
      id
      name
    }
  }
`);

const UPDATE_CONTACT = graphql(`
  mutation ConsoleUpdateContact($id: ID!, $input: UpdateContactInput!) {
    updateContact(id: $id, input: $input) {
      id
      name
      attributes
    }
  }
`);

const DELETE_CONTACT = graphql(`
  mutation ConsoleDeleteContact($id: ID!) {
    deleteContact(id: $id)
  }
`);

const CREATE_IMPORT = graphql(`
  mutation ConsoleCreateContactImport($input: CreateContactImportInput) {
    createContactImport(input: $input) {
      import {
        id
      }
      uploadUrl
    }
  }
`);

const IMPORT = graphql(`
  query ConsoleContactImport($id: ID!) {
    contactImport(id: $id) {
      id
      status
      rowsRead
      rowsAccepted
      rowsRejected
      rowsDuplicate
      contactsCreated
      contactsUpdated
      failure
      reportUrl
    }
  }
`);

const PAGE_SIZE = 20;

export function ListsPage() {
  const { data, error, refetch } = useQuery(LISTS, { pollInterval: 10_000 });
  const [createList] = useMutation(CREATE_LIST);
  const [problem, setProblem] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const addList = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      const filter = parseKeyValues(String(form.get('filter') ?? ''));
      const { data: created } = await createList({
        variables: {
          input: {
            name: String(form.get('listName')),
            ...(Object.keys(filter).length ? { filter } : {}),
          },
        },
      });
      formElement.reset();
      await refetch();
      if (created) setSelected(created.createContactList.id);
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  const lists = data?.contactLists.nodes ?? [];
  return (
    <section aria-labelledby="lists-title">
      <h1 id="lists-title">Lists</h1>
      {error && <p role="alert">{errorText(error)}</p>}
      <div className="split">
        <div>
          <h2>Your lists and segments</h2>
          {lists.length === 0 && <p>No lists yet.</p>}
          <ul className="list">
            {lists.map((l) => (
              <li key={l.id}>
                <button
                  type="button"
                  className="row"
                  aria-current={l.id === selected ? 'true' : undefined}
                  onClick={() => setSelected(l.id)}
                >
                  <span>{l.name}</span>
                  <span className="badge">{l.memberCount}</span>
                  <span className="preview">
                    {l.kind === 'SEGMENT'
                      ? `segment: ${Object.entries(l.filter ?? {})
                          .map(([k, v]) => `${k}=${v}`)
                          .join(', ')}`
                      : 'static list'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <form onSubmit={(e) => void addList(e)} className="card">
            <h3>New list or segment</h3>
            <label>
              List name
              <input name="listName" required maxLength={200} />
            </label>
            <label>
              Segment filter (optional: one attribute=value a line; empty makes a static list)
              <textarea name="filter" rows={2} placeholder="city=Berlin" />
            </label>
            {problem && <p role="alert">{problem}</p>}
            <button type="submit">Create list</button>
          </form>
        </div>
        <div>
          {selected ? (
            <ListDetail
              key={selected}
              id={selected}
              onChanged={() => void refetch()}
              onDeleted={() => {
                setSelected(null);
                void refetch();
              }}
            />
          ) : (
            <p className="muted">Choose a list to see its members and import contacts.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function ListDetail(props: { id: string; onChanged: () => void; onDeleted: () => void }) {
  const client = useApolloClient();
  // Relay paging: the cursors of the pages before the one shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const { data, error, refetch } = useQuery(MEMBERS, {
    variables: { id: props.id, first: PAGE_SIZE, after },
    fetchPolicy: 'cache-and-network',
  });
  const [createContact] = useMutation(CREATE_CONTACT);
  const [addToList] = useMutation(ADD_TO_LIST);
  const [removeFromList] = useMutation(REMOVE_FROM_LIST);
  const [deleteList] = useMutation(DELETE_LIST);
  const [renameList] = useMutation(RENAME_LIST);
  const [deleteContact] = useMutation(DELETE_CONTACT);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const list = data?.contactList;
  const reload = async () => {
    await refetch();
    props.onChanged();
  };

  const addContact = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const phoneNumber = String(form.get('phone')).trim();
    const name = String(form.get('contactName') ?? '').trim();
    try {
      // An existing contact is added as it is; a new number becomes a contact first.
      const found = await client.query({
        query: FIND_CONTACT,
        variables: { phoneNumber },
        fetchPolicy: 'network-only',
      });
      let contactId = found.data?.contacts.nodes[0]?.id;
      if (!contactId) {
        const { data: created } = await createContact({
          variables: { input: { phoneNumber, ...(name ? { name } : {}) } },
        });
        contactId = created?.createContact.id;
      }
      if (!contactId) return;
      await addToList({ variables: { id: props.id, contactIds: [contactId] } });
      formElement.reset();
      await reload();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  const remove = async (contactId: string) => {
    setProblem(null);
    try {
      await removeFromList({ variables: { id: props.id, contactIds: [contactId] } });
      await reload();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  const rename = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get('newName') ?? '').trim();
    try {
      await renameList({ variables: { id: props.id, name } });
      formElement.reset();
      await reload();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  // Deletes the contact itself (from every list), after a confirmation.
  const removeContact = async (contactId: string, phoneNumber: string) => {
    if (!confirm(`Delete the contact ${phoneNumber} from every list?`)) return;
    setProblem(null);
    try {
      await deleteContact({ variables: { id: contactId } });
      if (editing === contactId) setEditing(null);
      await reload();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  if (error) return <p role="alert">{errorText(error)}</p>;
  if (!list) return <p>Loading…</p>;
  const isStatic = list.kind === 'STATIC';
  const edited = list.members.nodes.find((c) => c.id === editing);
  return (
    <div aria-labelledby="list-title">
      <h2 id="list-title">{list.name}</h2>
      <p className="muted" data-testid="member-count">
        {list.memberCount} member{list.memberCount === 1 ? '' : 's'} ·{' '}
        {isStatic ? 'static list' : 'segment (members follow the filter)'}
      </p>
      {isStatic && <ImportCsv listId={list.id} onFinished={() => void reload()} />}
      <h3>Members</h3>
      {list.members.nodes.length === 0 ? (
        <p>No members on this page.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Members of {list.name}</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Name</th>
              <th scope="col">Attributes</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.members.nodes.map((c) => (
              <tr key={c.id}>
                <td>{c.phoneNumber}</td>
                <td>{c.name ?? '—'}</td>
                <td className="body">
                  {Object.entries(c.attributes)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Edit ${c.phoneNumber}`}
                      aria-expanded={editing === c.id}
                      aria-controls={editing === c.id ? 'contact-edit' : undefined}
                      onClick={() => setEditing(editing === c.id ? null : c.id)}
                    >
                      Edit
                    </button>
                    {isStatic && (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`Remove ${c.phoneNumber} from the list`}
                        onClick={() => void remove(c.id)}
                      >
                        Remove
                      </button>
                    )}
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete contact ${c.phoneNumber}`}
                      onClick={() => void removeContact(c.id, c.phoneNumber)}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {edited && (
        <EditContact
          key={edited.id}
          contact={edited}
          onDone={(saved) => {
            setEditing(null);
            if (saved) void reload();
          }}
        />
      )}
      <nav aria-label="Member pages" className="pager">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length <= 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          className="secondary"
          disabled={!list.members.pageInfo.hasNextPage}
          onClick={() => setCursors([...cursors, list.members.pageInfo.endCursor ?? null])}
        >
          Next page
        </button>
      </nav>
      {isStatic && (
        <form onSubmit={(e) => void addContact(e)} className="card">
          <h3>Add a contact</h3>
          <label>
            Phone number
            <input name="phone" required inputMode="tel" placeholder="+14155550100" />
          </label>
          <label>
            Name (new contacts)
            <input name="contactName" />
          </label>
          <button type="submit">Add to list</button>
        </form>
      )}
      <form onSubmit={(e) => void rename(e)} className="card">
        <h3>Rename the list</h3>
        <label>
          New name
          <input name="newName" required maxLength={200} defaultValue={list.name} />
        </label>
        <button type="submit">Rename list</button>
      </form>
      {problem && <p role="alert">{problem}</p>}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          if (!confirm(`Delete the list ${list.name}? Its contacts stay.`)) return;
          void deleteList({ variables: { id: list.id } })
            .then(props.onDeleted)
            .catch((e: unknown) => setProblem(errorText(e)));
        }}
      >
        Delete list
      </button>
    </div>
  );
}

/** The edit form of one member: its name and all its attributes (which replace the old ones). */
function EditContact(props: {
  contact: { id: string; phoneNumber: string; name?: string | null; attributes: unknown };
  onDone: (saved: boolean) => void;
}) {
  const [updateContact, saving] = useMutation(UPDATE_CONTACT);
  const [problem, setProblem] = useState<string | null>(null);
  const { contact } = props;

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    try {
      const attributes = parseKeyValues(String(form.get('attributes') ?? ''), { commas: false });
      const name = String(form.get('name') ?? '').trim();
      await updateContact({
        variables: { id: contact.id, input: { name: name || null, attributes } },
      });
      props.onDone(true);
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  return (
    <form
      id="contact-edit"
      onSubmit={(e) => void save(e)}
      className="card"
      aria-labelledby="contact-edit-title"
    >
      <h3 id="contact-edit-title">Edit {contact.phoneNumber}</h3>
      <label>
        Contact name
        <input name="name" maxLength={200} defaultValue={contact.name ?? ''} autoFocus />
      </label>
      <label>
        Attributes (one attribute=value a line; they replace the current ones)
        <textarea
          name="attributes"
          rows={4}
          defaultValue={formatKeyValues((contact.attributes ?? {}) as Record<string, unknown>)}
        />
      </label>
      {problem && <p role="alert">{problem}</p>}
      <button type="submit" disabled={saving.loading}>
        Save contact
      </button>{' '}
      <button type="button" className="secondary" onClick={() => props.onDone(false)}>
        Cancel
      </button>
    </form>
  );
}

type ImportView = ConsoleContactImportQuery['contactImport'];

function ImportCsv(props: { listId: string; onFinished: () => void }) {
  const client = useApolloClient();
  const [createImport] = useMutation(CREATE_IMPORT);
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<{ loaded: number; total: number } | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [view, setView] = useState<ImportView | null>(null);
  const [report, setReport] = useState<ReportRow[] | null>(null);
  const [reportLink, setReportLink] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const finished = view?.status === 'COMPLETED' || view?.status === 'FAILED';

  // The counters while it runs: polled until the import has finished.
  useEffect(() => {
    if (!importId || finished) return;
    let stop = false;
    const poll = async () => {
      try {
        const { data } = await client.query({
          query: IMPORT,
          variables: { id: importId },
          fetchPolicy: 'network-only',
        });
        if (!stop && data) setView(data.contactImport);
      } catch (e) {
        if (!stop) setProblem(errorText(e));
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 1_000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [client, importId, finished]);

  // Finished: the bad-row report, read through its signed link.
  useEffect(() => {
    if (!finished || !view?.reportUrl) return;
    const link = onThisOrigin(view.reportUrl, location.origin);
    setReportLink(link);
    props.onFinished();
    if (view.rowsRejected + view.rowsDuplicate === 0) return setReport([]);
    void fetch(link)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`report: HTTP ${r.status}`))))
      .then((text) => setReport(parseImportReport(text)))
      .catch((e: unknown) => setProblem(errorText(e)));
  }, [finished, view?.reportUrl]);

  const upload = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    setProblem(null);
    setView(null);
    setReport(null);
    setReportLink(null);
    setSent({ loaded: 0, total: file.size });
    try {
      const { data } = await createImport({ variables: { input: { listId: props.listId } } });
      if (!data) return;
      setImportId(data.createContactImport.import.id);
      await putWithProgress(
        onThisOrigin(data.createContactImport.uploadUrl, location.origin),
        file,
        (loaded, total) => setSent({ loaded, total }),
      );
      // The answer is the finished import; its report link comes with the GraphQL view.
      const { data: done } = await client.query({
        query: IMPORT,
        variables: { id: data.createContactImport.import.id },
        fetchPolicy: 'network-only',
      });
      if (done) setView(done.contactImport);
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  return (
    <form onSubmit={(e) => void upload(e)} className="card" aria-labelledby="import-title">
      <h3 id="import-title">Import contacts (CSV)</h3>
      <p className="muted">
        A header row with a <code>phone</code> column; <code>name</code> and opt-in columns are
        read, every other column becomes an attribute.
      </p>
      <label>
        CSV file
        <input
          type="file"
          name="csv"
          accept=".csv,text/csv"
          required
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </label>
      <button type="submit" disabled={!file || (sent !== null && !finished && !problem)}>
        Upload CSV
      </button>
      {sent && (
        <label>
          Upload
          <progress max={100} value={uploadPercent(sent.loaded, sent.total)}>
            {uploadPercent(sent.loaded, sent.total)}%
          </progress>
        </label>
      )}
      {view && (
        <div role="status" data-testid="import-status">
          <p>
            <span className="badge" data-status={view.status}>
              {view.status}
            </span>{' '}
            {view.rowsRead} rows read, {view.rowsAccepted} accepted, {view.rowsRejected} rejected,{' '}
            {view.rowsDuplicate} duplicate · {view.contactsCreated} new contacts,{' '}
            {view.contactsUpdated} updated
          </p>
          {view.failure && <p role="alert">{view.failure}</p>}
        </div>
      )}
      {reportLink && report && report.length > 0 && (
        <>
          <table>
            <caption>Rows not imported</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Reason</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {report.map((r, i) => (
                <tr key={i}>
                  <td>{r.row}</td>
                  <td>{r.column || '—'}</td>
                  <td>{r.reason}</td>
                  <td className="body">{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <a href={reportLink} download="import-report.csv">
            Download the report (CSV)
          </a>
        </>
      )}
      {problem && <p role="alert">{problem}</p>}
    </form>
  );
}

/** PUTs the file as text/csv, reporting upload progress; resolves with the finished import. */
function putWithProgress(
  url: string,
  file: File,
  progress: (loaded: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      progress(file.size, file.size);
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      const body = xhr.response as { message?: string; code?: string } | null;
      reject(
        new Error(
          body?.message
            ? `${body.message}${body.code ? ` (${body.code})` : ''}`
            : `HTTP ${xhr.status}`,
        ),
      );
    };
    xhr.onerror = () => reject(new Error('The upload failed (network).'));
    xhr.send(file);
  });
}
